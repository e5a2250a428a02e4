"""Build script: the optional compiled tree passes, and the shim `scrapyd-deploy` needs.

All metadata lives in pyproject.toml (including the `scrapy` entry point scrapyd reads). The
extension `newscrawl.extract._treepass` is built when Cython and a C compiler are available;
without them the package installs anyway and `newscrawl.extract.compiled` runs its pure-Python
twin, `newscrawl.extract.treepass_py`.
"""

from setuptools import setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that warns instead of failing: the extension only makes extraction faster."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any compiler or toolchain failure
            print(f"warning: newscrawl's compiled tree passes were not built ({exc}); "
                  "the pure-Python pass will be used")

    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            print(f"warning: {ext.name} was not built ({exc}); the pure-Python pass will be used")


def _extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError:
        print("warning: Cython or lxml missing at build time; extraction runs in pure Python")
        return []
    ext = Extension("newscrawl.extract._treepass", ["newscrawl/extract/_treepass.pyx"],
                    include_dirs=lxml.get_include())
    return cythonize([ext], language_level=3, quiet=True)


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
