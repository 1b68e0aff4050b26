"""Contract test suites for plugin authors (needs pytest).

Subclass a suite in your own test module and give it the fixture it names; pytest then runs
every check paretune's own samplers, schedulers and storages pass::

    import pytest
    from paretune.testing import SamplerContract

    class TestMySampler(SamplerContract):
        @pytest.fixture
        def make_sampler(self):
            return lambda seed: MySampler(seed=seed)
"""

from paretune.testing._samplers import SamplerContract as SamplerContract
from paretune.testing._samplers import mixed_objective as mixed_objective
from paretune.testing._schedulers import SchedulerContract as SchedulerContract
from paretune.testing._storages import StorageContract as StorageContract

__all__ = ["SamplerContract", "SchedulerContract", "StorageContract", "mixed_objective"]
