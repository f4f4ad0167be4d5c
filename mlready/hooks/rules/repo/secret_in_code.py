"""MLR610 `secret-in-code`: a credential written into the code or a config file.

## What it does
Reports, in Python files, notebooks' code cells and config files (YAML, TOML, JSON,
``setup.cfg``), a token that has the shape of a real credential:

- a W&B API key: 40 hexadecimal characters after ``WANDB_API_KEY`` or in
  ``wandb.login(key=...)``;
- a Hugging Face token: ``hf_`` and 30 or more letters and digits, mixing upper and
  lower case as issued tokens do (``hf_xxxx...`` placeholders do not);
- an AWS access key id: ``AKIA`` or ``ASIA`` and 16 upper-case letters or digits
  (AWS's documentation example ``...EXAMPLE`` aside);
- a generic ``api_key``/``api_token``/``secret_key``/``access_token``/``auth_token``/
  ``client_secret``/``password`` assigned a quoted literal of 20 to 200 characters
  that mixes letters and digits and is no placeholder (``your-key-here``, ``<token>``,
  ``${VAR}``, ``xxxx``, ``changeme``, ``dummy``, ``example``).

The message never shows the secret: only its first four characters and its length.
Every pattern is a single pass with bounded repetition and no nested quantifiers,
so a long line costs time in proportion to its length.

Off by default: the corpus of public projects holds no credential (publishing one gets
it revoked), so precision could not be judged against the 95% bar on real code.

## Why is this bad?
A committed key is public the moment the repository is pushed or shared, and stays
in the git history after the line is deleted: anyone can log runs into your W&B
account, download your private models or spend on your AWS bill. It also ties the
code to one person's account.

## Example
```python
wandb.login(key="0123456789abcdef0123456789abcdef01234567")
```

## Use instead
```python
wandb.login()  # reads WANDB_API_KEY from the environment, or ~/.netrc
```

## Options
None.

## References
- Web4 RL Implementation Checklist: "General Prerequisites" (``export WANDB_API_KEY``
  in the environment, not in the code)
- [W&B: Environment variables](https://docs.wandb.ai/guides/track/environment-variables/)
- [Hugging Face: User access tokens](https://huggingface.co/docs/hub/security-tokens)
- [GitHub Docs: Removing sensitive data from a repository](https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository)
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks import patterns
from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic

CODE = "MLR610"
SEVERITY = "error"
NAME = "secret-in-code"
KINDS = ("python", "config", "pyproject", "setup_cfg")
DEFAULT = False

_MAX_LINE = 10_000  # minified JSON on one line: scan its start only
# (what it is, a pattern with the secret as group "s")
_PATTERNS: tuple[tuple[str, patterns.Pattern], ...] = (
    ("a W&B API key", patterns.compile(
        r"WANDB_API_KEY[\"'\]\s=:,]{1,8}(?P<s>[0-9a-f]{40})(?![0-9a-f])")),
    ("a W&B API key", patterns.compile(
        r"wandb\.login\([^)]{0,80}?key\s{0,3}=\s{0,3}[\"'](?P<s>[0-9a-f]{40})[\"']")),
    ("a Hugging Face token", patterns.compile(
        r"(?<![A-Za-z0-9_])(?P<s>hf_[A-Za-z0-9]{30,80})(?![A-Za-z0-9])")),
    ("an AWS access key", patterns.compile(
        r"(?<![A-Z0-9])(?P<s>(?:AKIA|ASIA)[0-9A-Z]{16})(?![A-Z0-9])")),
    ("an API key", patterns.compile(
        r"(?i)(?:api_?key|api_?token|secret_?key|access_?token|auth_?token|client_?secret"
        r"|password)[\"']?\s{0,3}[:=]\s{0,3}[\"'](?P<s>[^\"'\s]{20,200})[\"']")),
)
_PLACEHOLDER_WORDS = ("your", "xxxx", "<", ">", "${", "{", "}", "changeme", "dummy",
                      "example", "placeholder", "fake", "redacted", "here", "****", "...",
                      "test", "sample")


def _real_looking(kind: str, secret: str) -> bool:
    lower = secret.lower()
    if kind == "an AWS access key":
        return not secret.endswith("EXAMPLE")
    if kind == "a Hugging Face token":
        body = secret[3:]
        return any(c.isupper() for c in body) and any(c.islower() for c in body)
    if kind == "an API key":
        if any(word in lower for word in _PLACEHOLDER_WORDS):
            return False
        if not (any(c.isdigit() for c in secret) and any(c.isalpha() for c in secret)):
            return False
        return len(set(secret)) >= 8  # not "aaaa...", "1234512345..."
    return len(set(secret)) >= 6  # W&B: 40 hex characters, not a run of zeros


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    for number, line in enumerate(ctx.lines, start=1):
        text = line[:_MAX_LINE]
        if not text.strip():
            continue
        reported: set[int] = set()
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(text):
                start = match.start("s")
                secret = match.group("s")
                if start in reported or not _real_looking(kind, secret):
                    continue
                reported.add(start)
                yield ctx.diagnostic(
                    CODE, (number, start + 1),
                    f"`{secret[:4]}...` ({len(secret)} characters): {kind} is written in "
                    "the code; anyone who can read the repository can use it",
                    fix="revoke it, then read it from an environment variable or a secrets "
                        "manager (and purge it from the git history)")
