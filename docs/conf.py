"""Sphinx configuration: MyST markdown pages, an API reference from the docstrings (autodoc + autosummary,
numpydoc-style sections through napoleon), and a gallery of scripts executed on every build (sphinx-gallery, with
PyVista's scraper for the off-screen 3D renderings)."""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # import this checkout's fem_laminate, not an installed copy
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import pyvista  # noqa: E402

pyvista.OFF_SCREEN = True  # render without a window (the CI machine has no display)


def _renders() -> bool:
    """VTK's wheel renders off screen through EGL or OSMesa when there is no display; where neither works, a
    virtual X server (Debian's xvfb, which .ci/run installs) is the fallback."""
    try:
        plotter = pyvista.Plotter(off_screen=True, window_size=[16, 16])
        plotter.add_mesh(pyvista.Sphere())
        plotter.screenshot(return_img=True)
        plotter.close()
        return True
    except Exception:  # noqa: BLE001 (any failure to render means: try the fallback)
        return False


if not _renders():
    pyvista.start_xvfb()
pyvista.set_plot_theme("document")
pyvista.global_theme.window_size = [800, 500]
pyvista.BUILDING_GALLERY = True

project = "fem_laminate"
author = "fem_laminate developers"
copyright = "fem_laminate developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "fem_reference",  # docs/_ext: the case-field and step-kind references, generated from the code
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "guide/_generated/*", "examples/*", "gallery/*", "results/*", "**/.ipynb_checkpoints",
                    "auto_gallery/*.ipynb", "auto_gallery/*.py", "auto_gallery/*.zip", "auto_gallery/*.json"]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# The docs quote repository paths (fem_laminate/..., tests/...) in code spans; a markdown link to a file that is not
# a page of the site is not a broken cross-reference.
suppress_warnings = ["myst.xref_missing", "myst.header", "autosummary.import_cycle", "config.cache"]

autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_ivar = True  # "Attributes" sections as fields: dataclass members are not described twice

sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["auto_gallery"],
    "filename_pattern": r"/plot_",
    "image_scrapers": ("matplotlib", "pyvista"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "write_computation_times": False,  # no sg_execution_times page (it would land in the Topics glob)
    "min_reported_time": 0,
    "reset_modules": ("matplotlib",),
    "abort_on_example_error": True,
}

html_theme = "furo"
html_title = "fem_laminate"
html_static_path = []
nitpicky = False
