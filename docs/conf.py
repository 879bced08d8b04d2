"""Sphinx configuration of the skbinary documentation.

Build (from the repository root)::

    .venv/bin/python -m sphinx -b html -W --keep-going docs docs/_build/html

Set ``SKBINARY_DOCS_RUN_EXAMPLES=0`` to build the gallery pages without running
the examples (a quick build: no figures, no printed output).
"""

import os
import sys
from pathlib import Path

# Quiet TensorFlow and draw figures off-screen, before anything imports them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the source tree next to this folder, installed or not.
sys.path.insert(0, str(ROOT))

import skbinary  # noqa: E402
from skbinary._params import parameter_table  # noqa: E402

# The parameter table of the user guide is derived from the parameters'
# specification, written anew by every build (tests/test_params.py checks the
# committed copy is current).
(DOCS / "user_guide" / "parameter_table.rst").write_text(parameter_table())

# -- Project -------------------------------------------------------------------
project = "skbinary"
author = "the skbinary developers"
copyright = "the skbinary developers"  # noqa: A001
version = release = skbinary.__version__

# -- General -------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
# No intersphinx: the build never touches the network. Cross-references to
# scikit-learn, Keras and numpy stay plain text (nitpicky is off).
nitpicky = False

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store",
                    "user_guide/parameter_table.rst"]  # included by parameters.rst
root_doc = "index"
default_role = "literal"

# -- autodoc / autosummary / numpydoc -----------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# The numpydoc "Examples" sections are doctests: render them, don't run them
# here (pytest --doctest-modules is the place for that).
numpydoc_use_plots = False

# -- sphinx-gallery ------------------------------------------------------------


def _truthy(value):
    return value.strip().lower() not in {"0", "false", "no", "off"}


RUN_EXAMPLES = _truthy(os.environ.get("SKBINARY_DOCS_RUN_EXAMPLES", "True"))

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Run only the story scripts: examples/plot_*.py and examples/demo_*.py.
    "filename_pattern": r"[\\/](plot|demo)_",
    "ignore_pattern": r"__init__\.py",
    "plot_gallery": "True" if RUN_EXAMPLES else "False",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    # "Examples using ..." at the foot of each API page (templates/autosummary).
    "doc_module": ("skbinary",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    # No sg_execution_times.rst: a per-build file that would land in docs/.
    "write_computation_times": False,
}

# -- HTML ----------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401
except ImportError:  # pragma: no cover - the "docs" extra installs it
    html_theme = "alabaster"
    html_theme_options = {"description": "A Keras binary classifier for scikit-learn"}
else:
    html_theme = "pydata_sphinx_theme"
    html_theme_options = {
        "navbar_align": "left",
        "show_prev_next": True,
        "navigation_with_keys": False,
        "secondary_sidebar_items": ["page-toc"],
        "footer_start": ["copyright"],
        "footer_end": ["sphinx-version", "theme-version"],
    }
    html_sidebars = {"install": [], "quick_start": [], "api": []}
html_title = f"skbinary {release}"
html_short_title = "skbinary"
html_show_sourcelink = False
html_copy_source = False
