"""The monthly mechanisms, one file each, in the order the model runs them:

awareness -> decision -> procurement -> trials (with learning) -> adoption -> market -> fou.
Each is switchable in the scenario's ``[mechanisms]`` table.
"""
