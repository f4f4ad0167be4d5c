"""The pinned references every workflow template and `mlready init` writes.

zizmor (and GitHub's hardening guide) require third-party actions pinned to a full
commit SHA: a tag can be moved, a SHA cannot. The version comment keeps the pin
readable and lets Dependabot or Renovate update it. The release process rewrites
`ACTION_SHA` to the tagged release commit; tests/github/test_action_lint.py fails when a
template drifts from these values.
"""

from __future__ import annotations

ACTION_REPO = "org/mlready-action"
ACTION_SHA = "5115b44fe83d900dff4504f9f7f0824c249bdc6c"
ACTION_VERSION = "v0.1.0-dev"
ACTION_USES = f"{ACTION_REPO}@{ACTION_SHA} # {ACTION_VERSION}"

CHECKOUT = "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0"
SETUP_PYTHON = "actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c # v6.0.0"
UPLOAD_ARTIFACT = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2"
DOWNLOAD_ARTIFACT = "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0"

ALL = (ACTION_USES, CHECKOUT, SETUP_PYTHON, UPLOAD_ARTIFACT, DOWNLOAD_ARTIFACT)
