"""Plumbing shared by the course notebooks: configuration, data, plotting and checks.

The lessons themselves live in the notebooks; this package only holds what would distract.
"""
