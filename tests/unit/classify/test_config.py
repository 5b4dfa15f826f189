"""Tests for pipeline.classify.config: the packaged topics file, versioning, config edits taking effect, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.classify import config as config_module
from pipeline.classify.config import DEFAULT_TOPICS_FILE, Topics, load_topics
from pipeline.classify.score import classify
from pipeline.config_schema import TopicsFile, check
from pipeline.errors import ConfigError


@pytest.fixture(scope="module")
def topics() -> Topics:
    return load_topics()


def _write_config(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture()
def config_data() -> dict:
    return yaml.safe_load(DEFAULT_TOPICS_FILE.read_text(encoding="utf-8"))


def test_default_file_is_the_repo_config() -> None:
    assert DEFAULT_TOPICS_FILE == Path(config_module.__file__).resolve().parents[2] / "config" / "topics.yaml"
    assert DEFAULT_TOPICS_FILE.is_file()


# ------------------------------------------------------------------------------------------------------
# Config: version and validation


def test_version_is_stable_for_the_same_config(topics: Topics) -> None:
    assert load_topics().version == topics.version
    assert topics.version.startswith(config_module.CLASSIFIER_CODE_VERSION + "-")


def test_version_changes_when_the_config_changes(tmp_path: Path, topics: Topics) -> None:
    original = DEFAULT_TOPICS_FILE.read_text(encoding="utf-8")
    same = tmp_path / "same.yaml"
    same.write_text(original, encoding="utf-8")
    changed = tmp_path / "changed.yaml"
    changed.write_text(original.replace("threshold: 0.55", "threshold: 0.6", 1), encoding="utf-8")
    assert load_topics(same).version == topics.rules_version
    assert load_topics(changed).version != topics.version


def test_threshold_from_config_is_applied(tmp_path: Path, config_data: dict) -> None:
    config_data["topics"]["rare_earths"]["threshold"] = 0.99
    strict = load_topics(_write_config(tmp_path / "strict.yaml", config_data))
    result = classify("China tightens rare earth export controls", "", strict)["rare_earths"]
    assert result.score > 0.5
    assert not result.relevant


def test_adding_a_term_in_config_takes_effect(tmp_path: Path, config_data: dict) -> None:
    title = "Scandium refinery opens in Quebec"
    assert not classify(title, "", load_topics())["rare_earths"].relevant
    config_data["topics"]["rare_earths"]["terms"]["scandium"] = 1.0
    edited = load_topics(_write_config(tmp_path / "edited.yaml", config_data))
    result = classify(title, "", edited)["rare_earths"]
    assert result.relevant
    assert "scandium" in result.evidence[0].terms


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        pytest.param(
            lambda d: d["topics"]["us_japan"].update(threshold="high"),
            "topics.us_japan.threshold",
            id="threshold-not-a-number",
        ),
        pytest.param(
            lambda d: d["topics"]["rare_earths"].pop("threshold"),
            "topics.rare_earths.threshold",
            id="threshold-missing",
        ),
        pytest.param(
            lambda d: d["topics"]["us_japan"].update(treshold=0.5),
            "topics.us_japan.treshold",
            id="misspelt-key",
        ),
        pytest.param(
            lambda d: d["topics"]["rare_earths"]["terms"].update({"re:([unclosed": 1.0}),
            "topics.rare_earths.terms.re:([unclosed",
            id="bad-regex",
        ),
        pytest.param(
            lambda d: d["topics"]["rare_earths"]["terms"].update({"magnet": "heavy"}),
            "topics.rare_earths.terms.magnet",
            id="term-weight-not-a-number",
        ),
        pytest.param(
            lambda d: d["topics"]["us_japan"]["cooccurrence"][0].update(sides={"us": ["U.S."]}),
            "topics.us_japan.cooccurrence[0].sides",
            id="one-sided-rule",
        ),
        pytest.param(lambda d: d.update(topics=[]), "topics", id="topics-not-a-mapping"),
        pytest.param(
            lambda d: d["scoring"].update(lead_sentences=2.5),
            "scoring.lead_sentences",
            id="lead-sentences-a-fraction",
        ),
        pytest.param(
            lambda d: d["topics"]["us_japan"]["cooccurrence"][0].update(crowd={"max_others": 1.5}),
            "topics.us_japan.cooccurrence[0].crowd.max_others",
            id="max-others-a-fraction",
        ),
        pytest.param(
            lambda d: d["topics"]["us_japan"]["cooccurrence"][0].update(name=7),
            "topics.us_japan.cooccurrence[0].name",
            id="rule-name-not-a-string",
        ),
        pytest.param(
            lambda d: d["topics"]["rare_earths"]["terms"].update({True: 1.0}),
            "topics.rare_earths.terms.True",
            id="term-a-yaml-bool",
        ),
    ],
)
def test_malformed_config_raises_config_error_naming_file_and_key(
    tmp_path: Path, config_data: dict, mutate, key: str
) -> None:
    mutate(config_data)
    path = _write_config(tmp_path / "bad.yaml", config_data)
    with pytest.raises(ConfigError) as excinfo:
        load_topics(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert f"{key}: " in message


def test_invalid_yaml_raises_config_error_naming_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("topics:\n  us_japan: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.yaml"):
        load_topics(path)


@pytest.mark.parametrize(
    ("mutate", "key", "expected"),
    [
        pytest.param(
            lambda d: d.update(topics="us_japan"), "topics", "expected a mapping", id="topics-a-string"
        ),
        pytest.param(
            lambda d: d["topics"]["us_japan"].update(negatives={"mask": "Japanese yen"}),
            "topics.us_japan.negatives.mask",
            "expected a valid list",
            id="mask-a-string-not-a-list",
        ),
        pytest.param(
            lambda d: d["topics"]["rare_earths"].update(
                framed_terms={"framing": ["supply"], "terms": "lithium"}
            ),
            "topics.rare_earths.framed_terms.terms",
            "expected a mapping",
            id="framed-terms-a-string",
        ),
        pytest.param(lambda d: d.update(topcs={}), "topcs", "unknown key", id="unknown-top-level-key"),
        pytest.param(
            lambda d: d["topics"]["us_japan"]["cooccurrence"][0].update(crowd={"max_other": 2}),
            "topics.us_japan.cooccurrence[0].crowd.max_other",
            "unknown key",
            id="unknown-nested-key",
        ),
        pytest.param(
            lambda d: d["topics"]["rare_earths"]["terms"].update({"magnet": {"weight": "heavy"}}),
            "topics.rare_earths.terms.magnet.weight",
            "expected a valid number, got 'heavy'",
            id="term-mapping-with-a-string-weight",
        ),
        pytest.param(
            lambda d: d["topics"]["rare_earths"]["terms"].update({"magnet": True}),
            "topics.rare_earths.terms.magnet",
            "got True",
            id="term-weight-a-bool",
        ),
        pytest.param(
            lambda d: d["topics"]["rare_earths"]["terms"].update({"magnet": 11}),
            "topics.rare_earths.terms.magnet",
            "less than or equal to 10",
            id="term-weight-out-of-range",
        ),
        pytest.param(
            lambda d: d["topics"]["us_japan"].update(threshold=True),
            "topics.us_japan.threshold",
            "got True",
            id="threshold-a-bool",
        ),
    ],
)
def test_the_topics_schema_names_file_key_path_and_what_was_expected(
    tmp_path: Path, config_data: dict, mutate, key: str, expected: str
) -> None:
    mutate(config_data)
    path = _write_config(tmp_path / "bad.yaml", config_data)
    with pytest.raises(ConfigError) as excinfo:
        load_topics(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: ")
    assert f"{key}: " in message
    assert expected in message


def test_the_packaged_topics_file_fits_the_schema() -> None:
    data = yaml.safe_load(DEFAULT_TOPICS_FILE.read_text(encoding="utf-8"))
    assert check(TopicsFile, data, str(DEFAULT_TOPICS_FILE)).topics.keys() == set(load_topics().names)
