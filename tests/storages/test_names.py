"""Names and text that one backend cannot store are refused by all, through the public API."""

from __future__ import annotations

import pytest

import paretune as pt


def test_an_overlong_study_name_is_refused_up_front(storage_url: str | None) -> None:
    with pytest.raises(ValueError) as caught:
        pt.create_study(study_name="s" * 600, objectives={"loss": "minimize"}, storage=storage_url)
    assert str(caught.value).startswith("study_name must be at most 512 characters (got 600); ")
    study = pt.create_study(
        study_name="s" * 512, objectives={"loss": "minimize"}, storage=storage_url
    )
    assert pt.load_study(study_name="s" * 512, storage=study.storage).name == "s" * 512


@pytest.mark.parametrize(
    ("text", "problem"),
    [("a\x00b", "NUL character .* at index 1"), ("\ud800", "lone surrogate")],
)
def test_nul_and_lone_surrogates_are_refused_in_every_name(
    storage_url: str | None, text: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        pt.create_study(study_name=text, objectives={"loss": "minimize"}, storage=storage_url)
    with pytest.raises(ValueError, match=problem):
        pt.create_study(objectives={text: "minimize"}, storage=storage_url)
    study = pt.create_study(study_name="s", objectives={"loss": "minimize"}, storage=storage_url)
    with pytest.raises(ValueError, match=problem):
        study.set_user_attr(text, 1)
    with pytest.raises(ValueError, match=problem):
        study.set_user_attr("note", {"nested": [text]})
    trial = study.ask()
    with pytest.raises(ValueError, match=problem):
        trial.suggest_float(text, 0.0, 1.0)
    with pytest.raises(ValueError, match=problem):
        trial.suggest_categorical("choice", ["ok", text])
    with pytest.raises(ValueError, match=problem):
        trial.set_user_attr(text, 1)
    assert [t.state.value for t in study.trials] == ["running"]
    assert dict(study.trials[0].params) == {}
    assert [s.info.name for s in pt.list_studies(storage=study.storage)] == ["s"]


def test_a_failure_message_with_nul_is_recorded_escaped(storage_url: str | None) -> None:
    study = pt.create_study(study_name="s", objectives={"loss": "minimize"}, storage=storage_url)

    def objective(trial: pt.Trial) -> float:
        trial.suggest_float("x", 0.0, 1.0)
        raise RuntimeError("read b'\x00\x01' from the device")

    with pytest.warns(pt.exceptions.FailedTrialsWarning):
        study.optimize(objective, n_trials=1)
    (failed,) = study.trials
    assert failed.state.value == "failed"
    assert "read b'\\x00\x01' from the device" in (failed.fail_reason or "")
    assert "\x00" not in (failed.traceback or "")
