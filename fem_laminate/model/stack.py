"""The laminate stack: layers listed bottom-up, each a material and a thickness (SI inside)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .materials import Material


@dataclass(frozen=True)
class Layer:
    name: str
    material: Material
    thickness_m: float
    origin: str = "foil"  # "foil" (present from the start) | "cast" (formed in cure) | "bonded" (added in bond)


@dataclass(frozen=True)
class Stack:
    layers: tuple[Layer, ...]
    # the case's interface table (model/interfaces.py); None: the library's
    interfaces: object = field(default=None, compare=False, hash=False)

    @property
    def thicknesses_m(self) -> np.ndarray:
        return np.array([lay.thickness_m for lay in self.layers])

    @property
    def interfaces_m(self) -> np.ndarray:
        """Heights of the n+1 layer boundaries, 0 at the bottom."""
        return np.concatenate([[0.0], np.cumsum(self.thicknesses_m)])

    @property
    def thickness_m(self) -> float:
        return float(self.thicknesses_m.sum())

    def __len__(self) -> int:
        return len(self.layers)

    def index(self, name: str) -> int:
        for i, lay in enumerate(self.layers):
            if lay.name == name:
                return i
        raise KeyError(name)

    def describe(self) -> str:
        return " / ".join(f"{lay.material.name} {lay.thickness_m * 1e6:g} um" for lay in self.layers)
