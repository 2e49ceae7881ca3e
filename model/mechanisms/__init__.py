"""The monthly mechanisms, one module per file (see ``model/module.py`` for the shape and
``DiffusionModel._build_modules`` for the order a month runs them in):

awareness -> reconsideration -> decision -> procurement -> fou (support) -> trials ->
learning -> adoption -> abandonment -> market; ``bass`` replaces the decision chain when
``mechanisms.trial_decision`` is off (Bass docking).
"""
