"""The benchmarks' shared harness.

* :mod:`harness.problem`: the :class:`~harness.problem.Problem` protocol (space, objective,
  reference point, true or best-known hypervolume) and a dataclass that implements it;
* :mod:`harness.contender`: a :class:`~harness.contender.Contender` (name, settings, how
  to run it for a seed and a budget);
* :mod:`harness.runner`: contenders x seeds run in forked worker processes;
* :mod:`harness.score`: normalised hypervolume of the feasible front;
* :mod:`harness.cache`: finished runs, keyed on library versions and settings;
* :mod:`harness.studies`: paretune's and Optuna's samplers as contenders;
* :mod:`harness.table`, :mod:`harness.cli`, :mod:`harness.versions`: tables (median [IQR]),
  shared command-line options and the version stamp every script prints.

This package imports nothing itself: a script imports the submodules it uses, and can cap
its thread pools (:func:`harness.threads.one_thread_per_process`) before numpy loads.
"""
