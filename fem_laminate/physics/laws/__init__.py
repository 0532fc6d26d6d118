"""Material laws: one object per law, one law per module (see law.py for what a law is).

Importing the package registers the laws; the registry order is the order below. Within the stiffness role the
first law that applies to a material is its stiffness law, so Prony (a material with a series, viscoelasticity
on) comes before plain elasticity.
"""
from . import viscoelastic  # noqa: F401  (stiffness: Prony + shift)
from . import elastic  # noqa: F401  (stiffness: E(T), ν; relaxes fully above Tg)
from . import expansion  # noqa: F401  (eigenstrain: thermal expansion)
from . import swelling  # noqa: F401  (eigenstrain: hygroscopic swelling)
from . import plasticity  # noqa: F401  (inelastic: J2 with hardening(T))
from . import creep  # noqa: F401  (inelastic: power-law creep)
from . import cure_shrinkage  # noqa: F401  (eigenstrain: imidization shrinkage of a cast polyimide)
from .law import REGISTRY, Law, Var, check_material, laws_for, register, switches  # noqa: F401
