"""Stage-coded episodes (Safran & Muran pathways) summarised for the session profile.

An episode's stages are code applications with unit ``episode``. Stages oscillate in these
models, so what counts is the *highest* stage reached on the episode's pathway (stage
order from the scheme), not the sequence; the outcome is the episode-scope resolution
rating (EP_RESOLVED) read relative to its scale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from coder.domain.errors import ValidationError
from coder.stats.profile_segments import Roles, jsonable


@dataclass(frozen=True, slots=True)
class EpisodeSummary:
    """A stage-coded episode: pathway, highest stage reached, outcome.

    ``resolved`` is "resolved" at the top of the resolution scale (EP_RESOLVED = 2),
    "partial" strictly between (1), "unresolved" at the bottom (0), None if not rated.
    """

    episode: int
    pathway: str | None
    stages: tuple[str, ...]  # coded stage ids in pathway order
    highest_order: int
    highest_stage: str | None
    reached_final: bool
    resolved: str | None
    resolution_value: float | None

    def to_dict(self) -> dict[str, object]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}


def episode_summaries(
    session: int,
    rows: Sequence[tuple[int, str, float | None]],
    roles: Roles,
    pathways: Mapping[tuple[int, int], str],
) -> tuple[EpisodeSummary, ...]:
    """Summaries of the episodes named in ``rows`` (episode, code, value) or ``pathways``."""
    by_episode: dict[int, list[tuple[str, float | None]]] = {
        e: [] for (s, e) in pathways if s == session
    }
    for episode, code, value in rows:
        by_episode.setdefault(episode, []).append((code, value))
    out = []
    for episode in sorted(by_episode):
        items = by_episode[episode]
        staged = [c for c, v in items if c in roles.stages and (v is None or v > 0)]
        pathway = pathways.get((session, episode))
        if pathway is None and staged:
            counts = Counter(roles.stages[c][0] for c in staged)
            pathway = sorted(counts, key=lambda p: (-counts[p], p))[0]
        if pathway is not None and pathway not in roles.pathways:
            raise ValidationError(f"session {session} episode {episode}: no pathway {pathway!r}")
        ordered = sorted(
            {c for c in staged if roles.stages[c][0] == pathway}, key=lambda c: roles.stages[c][1]
        )
        highest = roles.stages[ordered[-1]][1] if ordered else 0
        final = pathway is not None and highest == roles.pathways[pathway].final_order
        verdict, value = None, None
        for code, v in items:
            if code in roles.episode_resolution and v is not None:
                scale, value = roles.episode_resolution[code], v
                verdict = (
                    "resolved" if v >= scale.max else "unresolved" if v <= scale.min else "partial"
                )
        out.append(
            EpisodeSummary(
                episode, pathway, tuple(ordered), highest,
                ordered[-1] if ordered else None, final, verdict, value,
            )
        )  # fmt: skip
    return tuple(out)
