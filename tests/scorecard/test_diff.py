"""Changed lines from a zero-context unified diff."""

from __future__ import annotations

from mlready.scorecard.diff import parse_unified_diff

DIFF = """diff --git a/train.py b/train.py
index 1..2 100644
--- a/train.py
+++ b/train.py
@@ -3 +3 @@ import torch
-lr = 1
+lr = 2
@@ -10,0 +11,3 @@ def main():
+a
+b
+c
@@ -20,2 +23,0 @@
-gone
-gone
diff --git a/old.py b/old.py
deleted file mode 100644
--- a/old.py
+++ /dev/null
@@ -1 +0,0 @@
-x
diff --git "a/sp ace\\303\\251.py" "b/sp ace\\303\\251.py"
--- "a/sp ace\\303\\251.py"
+++ "b/sp ace\\303\\251.py"
@@ -0,0 +1 @@
+new
"""


def test_parse() -> None:
    assert parse_unified_diff(DIFF) == {
        "train.py": {3, 11, 12, 13},
        "sp ace\u00e9.py": {1},
    }
