"""Every address goes through app.py's frame (serving check, sign-in, demo account, sidebar filters).

Streamlit (1.67) decides once per server process, when the first browser session opens, that an app
with a pages/ folder beside its main script is an old-style multipage app, and keeps thinking so until
some run calls ``st.navigation``: until then every run lists each file of pages/ as a page of its own
and runs the one the address names ALONE, without app.py (streamlit.runtime.scriptrunner
.script_runner._mpa_v1). So in a fresh server a deep link such as /whatif skipped the sign-in and the
frame, and kept doing so for every session until someone opened the root address.

The fix is here, at the top of every file in pages/: ``require(__name__)``. app.py runs each page
inside ``app_frame()``; a page file run outside it (or a helper module run as a page, as
pages-directory mode does with _common.py and the rest) turns that mode off for the whole process and
reruns, and the rerun, same address, goes through app.py, which resolves the address to its page.
tests/test_serving.py checks every file of pages/ has the call; tests/test_e2e_serving.py opens deep
links in a fresh server in Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

_inside_app_frame: ContextVar[bool] = ContextVar("fba_health_inside_app_frame", default=False)


@contextmanager
def app_frame() -> Iterator[None]:
    """app.py runs the page inside this: a page knows it was reached through the frame."""
    token = _inside_app_frame.set(True)
    try:
        yield
    finally:
        _inside_app_frame.reset(token)


def inside_app_frame() -> bool:
    return _inside_app_frame.get()


def require(module_name: str) -> None:
    """The first statement of every file in pages/ (after its imports), called with ``__name__``.

    Imported as a module (``pages._common``...): nothing to do. Run as a script (``__main__``) inside
    app.py's frame: nothing to do. Run as a script outside it: Streamlit's pages-directory mode ran
    this file alone; turn the mode off for this process (what ``st.navigation`` does) and rerun the
    same address, this time through app.py. Nothing of the page has been drawn yet."""
    if module_name != "__main__" or inside_app_frame():
        return
    PagesManager.uses_pages_directory = False
    st.rerun()


require(__name__)
