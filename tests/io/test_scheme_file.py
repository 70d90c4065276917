"""Scheme files: the built-ins validate, and each kind of mistake is named precisely."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from coder.domain.errors import CoderError
from coder.domain.scheme import CodeFamily, Scope, SegmentationMode
from coder.io.scheme_file import SchemeFileError, load_scheme_file
from coder.io.yaml_lines import YamlError

REPO = Path(__file__).resolve().parents[2]

VALID = """\
format: 1
id: mini
version: "1"
name: Mini scheme
scales:
  sig: {min: 1, max: 5}
code_groups:
  - id: withdrawal
    label: Withdrawal
    family: withdrawal
    codes:
      - {id: W1, name: Denial, hotkey: "1"}
      - {id: W2, name: Minimal response, hotkey: "2"}
ratings:
  - {id: W_SIG, label: Withdrawal significance, scale: sig, scope: segment}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scheme.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SchemeFileError) as info:
        load_scheme_file(write(tmp_path, text))
    return [str(issue) for issue in info.value.issues]


@pytest.mark.parametrize("name", ["3rs-2015", "3rs-2022", "safran-muran-stages"])
def test_builtin_schemes_validate(name: str) -> None:
    scheme, text = load_scheme_file(REPO / "schemes" / f"{name}.yaml")
    assert scheme.id == name
    assert len(scheme.content_hash) == 64
    assert text


def test_3rs_2015_has_the_published_structure() -> None:
    scheme, _ = load_scheme_file(REPO / "schemes" / "3rs-2015.yaml")
    families = {g.id: [c.id for c in g.codes] for g in scheme.groups}
    assert families["withdrawal"] == [f"W{i}" for i in range(1, 8)]
    assert families["confrontation"] == [f"C{i}" for i in range(1, 8)]
    assert len(families["resolution"]) >= 10
    assert scheme.segmentation.mode is SegmentationMode.TIME_WINDOW
    assert scheme.segmentation.window_s == 300
    seg = {r.id for r in scheme.ratings_for(Scope.SEGMENT)}
    assert {"W_SIG", "C_SIG"} <= seg
    assert scheme.rating("W_SIG").scale.min == 1 and scheme.rating("W_SIG").scale.max == 5
    assert {"G_TCONTRIB", "G_RESOLVED"} <= {r.id for r in scheme.ratings_for(Scope.SESSION)}
    assert scheme.code("W1").family is CodeFamily.WITHDRAWAL
    assert len(scheme.hotkeys()) == sum(1 for _ in scheme.codes())


def test_3rs_2022_and_stages() -> None:
    s22, _ = load_scheme_file(REPO / "schemes" / "3rs-2022.yaml")
    assert s22.segmentation.window_s == 60
    assert {"WD_P", "CF_P", "WD_T", "CF_T"} <= {r.id for r in s22.ratings}
    stages, _ = load_scheme_file(REPO / "schemes" / "safran-muran-stages.yaml")
    assert [p.id for p in stages.pathways] == ["withdrawal", "confrontation"]
    assert [s.order for s in stages.pathway("withdrawal").stages] == [1, 2, 3, 4, 5]


def test_valid_minimal_scheme_loads(tmp_path: Path) -> None:
    scheme, _ = load_scheme_file(write(tmp_path, VALID))
    assert [c.id for c in scheme.codes()] == ["W1", "W2"]
    assert scheme.hotkeys() == {"1": "W1", "2": "W2"}


def test_content_hash_ignores_formatting_but_not_content(tmp_path: Path) -> None:
    a, _ = load_scheme_file(write(tmp_path, VALID))
    b, _ = load_scheme_file(
        write(tmp_path, "# a comment\n" + VALID.replace("{min: 1, max: 5}", "{max: 5, min: 1}"))
    )
    c, _ = load_scheme_file(write(tmp_path, VALID.replace("Denial", "Avoidant denial")))
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    text = VALID.replace(
        '      - {id: W2, name: Minimal response, hotkey: "2"}',
        '      - {id: W2, name: Minimal response, hotkey: "2", colr: "#ffffff"}',
    )
    found = problems(tmp_path, text)
    assert found == [f"{tmp_path / 'scheme.yaml'}:13: code_groups[0].codes[1].colr: unknown key"]


def test_duplicate_code_ids(tmp_path: Path) -> None:
    found = problems(tmp_path, VALID.replace("id: W2", "id: W1"))
    assert len(found) == 1
    assert ":13: code_groups[0].codes[1].id: duplicate id 'W1'" in found[0]


def test_duplicate_hotkeys_ignore_case(tmp_path: Path) -> None:
    text = VALID.replace('hotkey: "1"', 'hotkey: "w"').replace('hotkey: "2"', 'hotkey: "W"')
    found = problems(tmp_path, text)
    assert (
        len(found) == 1 and ":13: code_groups[0].codes[1].hotkey: duplicate hotkey 'W'" in found[0]
    )
    assert "W1" in found[0]


def test_bad_hotkey_syntax(tmp_path: Path) -> None:
    found = problems(tmp_path, VALID.replace('hotkey: "1"', 'hotkey: "Hyper+é"'))
    assert "codes[0].hotkey" in found[0] and "not a hotkey" in found[0]


def test_rating_naming_missing_scale(tmp_path: Path) -> None:
    found = problems(tmp_path, VALID.replace("scale: sig", "scale: significance"))
    assert len(found) == 1
    assert ":15: ratings[0].scale: names scale 'significance', which is not declared" in found[0]


def test_scale_min_greater_than_max(tmp_path: Path) -> None:
    found = problems(tmp_path, VALID.replace("{min: 1, max: 5}", "{min: 6, max: 5}"))
    assert found == [
        f"{tmp_path / 'scheme.yaml'}:6: scales.sig.min: min (6) is greater than max (5)"
    ]


def test_wrong_types_are_not_coerced(tmp_path: Path) -> None:
    found = problems(tmp_path, VALID.replace("{min: 1, max: 5}", '{min: "one", max: 5}'))
    assert len(found) == 1 and ":6: scales.sig.min:" in found[0] and "integer" in found[0]


def test_missing_required_key_and_all_problems_reported(tmp_path: Path) -> None:
    text = VALID.replace("name: Mini scheme\n", "").replace("label: Withdrawal\n", "lable: x\n")
    found = problems(tmp_path, text)
    assert any(p.endswith("name: required key is missing") for p in found)
    assert any("code_groups[0].lable: unknown key" in p for p in found)
    assert any("code_groups[0].label: required key is missing" in p for p in found)


def test_format_version_is_checked(tmp_path: Path) -> None:
    found = problems(tmp_path, VALID.replace("format: 1", "format: 2"))
    assert "format: must be 1" in found[0]


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "format: 1\nid: [unclosed\nname: x\n")
    with pytest.raises(YamlError, match=r"scheme\.yaml:\d+: not valid YAML"):
        load_scheme_file(path)


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(YamlError, match=r"scheme\.yaml:5: key 'name' appears twice"):
        load_scheme_file(
            write(tmp_path, VALID.replace("name: Mini scheme\n", "name: A\nname: B\n"))
        )


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="no such scheme file"):
        load_scheme_file(tmp_path / "nope.yaml")
    with pytest.raises(YamlError, match="empty"):
        load_scheme_file(write(tmp_path, ""))
    with pytest.raises(SchemeFileError, match="must be a mapping"):
        load_scheme_file(write(tmp_path, "- just\n- a list\n"))
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CoderError, match="not UTF-8"):
        load_scheme_file(binary)
