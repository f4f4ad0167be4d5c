"""The pinned references every workflow template, the README and `mlready init` write.

zizmor (and GitHub's hardening guide) require third-party actions pinned to a full
commit SHA: a tag can be moved, a SHA cannot. The version comment keeps the pin
readable and lets Dependabot or Renovate update it.

Our own pin comes from one place: `ACTION_SHA` and `ACTION_VERSION` name one release
(RELEASING.md), set together after it is tagged, so the README, the templates,
``examples/workflows/`` and what ``mlready init`` writes cannot disagree: `rewrite`
brings a file's references in line, and tests/test_release.py fails when one drifts,
or when the pinned commit lacks ``.pre-commit-hooks.yaml`` or ``action.yml``.
"""

from __future__ import annotations

import re

from mlready import REPOSITORY, REPOSITORY_URL

ACTION_REPO = REPOSITORY
ACTION_SHA = "a606bea0a9f512a6096fe7f0f88cd6894d096fe5"
# The release ACTION_SHA is tagged as. Set together with ACTION_SHA (RELEASING.md, step
# 4), never derived: between a version bump and its tag, the pin still names the
# release before it.
ACTION_VERSION = "v0.1.0"
ACTION_USES = f"{ACTION_REPO}@{ACTION_SHA} # {ACTION_VERSION}"
HOOK_REPO = REPOSITORY_URL
HOOK_REV = f"{ACTION_SHA} # frozen: {ACTION_VERSION}"  # as `pre-commit autoupdate --freeze`

CHECKOUT = "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0"
SETUP_PYTHON = "actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c # v6.0.0"
UPLOAD_ARTIFACT = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2"
DOWNLOAD_ARTIFACT = "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0"

ALL = (ACTION_USES, CHECKOUT, SETUP_PYTHON, UPLOAD_ARTIFACT, DOWNLOAD_ARTIFACT)

_USES = re.compile(rf"{re.escape(ACTION_REPO)}@[^\s#]+(?:[ \t]*#[ \t]*\S+)?")
_REV = re.compile(rf"(^[ \t-]*repo:[ \t]*{re.escape(HOOK_REPO)}[ \t]*\n[ \t]*rev:[ \t]*)[^\n]*",
                  re.MULTILINE)


def rewrite(text: str) -> str:
    """``text`` with every reference to our action and hook repository at today's pin."""
    return _REV.sub(lambda m: m.group(1) + HOOK_REV, _USES.sub(ACTION_USES, text))
