"""`python -m engine`: a thin shell over the wings; named errors become one-line messages here."""


def user_store():
    """The user's store under TUNESCOPE_HOME: its prediction cache makes a re-run instant."""
    from engine.library.store import Store

    return Store()
