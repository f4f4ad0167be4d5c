"""The metadata of every rule, generated from the rule modules: do not edit.

Regenerate with ``python -m mlready.dev generate`` (a test fails when this file
is stale). Reading it costs nothing, so choosing rules, validating settings and
answering a run from the cache import no rule module.
"""

# families whose options table is rules/<family>/options.py (OPTIONS)
OPTION_FAMILIES: tuple[str, ...] = ("hparams", "config", "types", "repo")

# module, code, name, family, kinds, default, functions defined
RULES: tuple[tuple[str, str, str, str, tuple[str, ...], bool, tuple[str, ...]], ...] = (
    ("syntax_error", "MLR000", "syntax-error", "core", ("config", "notebook", "pyproject", "python", "requirements", "setup_cfg"), True, ("check",)),
    ("seeds.unseeded_python_random", "MLR001", "unseeded-python-random", "seeds", ("python",), True, ("collect", "finalize")),
    ("seeds.unseeded_numpy_random", "MLR002", "unseeded-numpy-random", "seeds", ("python",), True, ("collect", "finalize")),
    ("seeds.unseeded_torch_random", "MLR003", "unseeded-torch-random", "seeds", ("python",), True, ("collect", "finalize")),
    ("seeds.unseeded_cuda_random", "MLR004", "unseeded-cuda-random", "seeds", ("python",), True, ("collect", "finalize")),
    ("seeds.unseeded_environment", "MLR005", "unseeded-environment", "seeds", ("python",), True, ("collect", "finalize")),
    ("seeds.nondeterministic_training", "MLR006", "nondeterministic-training", "seeds", ("python",), True, ("collect", "finalize")),
    ("seeds.cudnn_benchmark_with_determinism", "MLR007", "cudnn-benchmark-with-determinism", "seeds", ("python",), True, ("collect", "finalize")),
    ("seeds.unseeded_dataloader_workers", "MLR008", "unseeded-dataloader-workers", "seeds", ("python",), True, ("collect", "finalize")),
    ("hparams.hardcoded_learning_rate", "MLR101", "hardcoded-learning-rate", "hparams", ("python",), True, ("check",)),
    ("hparams.hardcoded_batch_size", "MLR102", "hardcoded-batch-size", "hparams", ("python",), True, ("check",)),
    ("hparams.hardcoded_training_length", "MLR103", "hardcoded-training-length", "hparams", ("python",), True, ("check",)),
    ("hparams.hardcoded_optimizer_hyperparameter", "MLR104", "hardcoded-optimizer-hyperparameter", "hparams", ("python",), True, ("check",)),
    ("hparams.hardcoded_lr_schedule", "MLR105", "hardcoded-lr-schedule", "hparams", ("python",), True, ("check",)),
    ("hparams.hardcoded_rl_hyperparameter", "MLR106", "hardcoded-rl-hyperparameter", "hparams", ("python",), True, ("check",)),
    ("config.missing_config_file", "MLR110", "missing-config-file", "config", ("python",), True, ("collect", "finalize")),
    ("config.no_training_config", "MLR111", "no-training-config", "config", ("python",), True, ("collect", "finalize")),
    ("config.duplicate_config_key", "MLR112", "duplicate-config-key", "config", ("config",), True, ("check",)),
    ("deps.unpinned_requirement", "MLR201", "unpinned-requirement", "deps", ("requirements",), True, ("collect", "finalize")),
    ("deps.unpinned_vcs_requirement", "MLR202", "unpinned-vcs-requirement", "deps", ("config", "pyproject", "requirements", "setup_cfg"), True, ("collect", "finalize")),
    ("deps.missing_requirements_include", "MLR203", "missing-requirements-include", "deps", ("pyproject", "requirements"), True, ("collect", "finalize")),
    ("deps.unpinned_project_dependency", "MLR204", "unpinned-project-dependency", "deps", ("pyproject", "requirements", "setup_cfg"), True, ("collect", "finalize")),
    ("deps.no_dependency_manifest", "MLR205", "no-dependency-manifest", "deps", ("python",), True, ("collect", "finalize")),
    ("deps.unpinned_conda_dependency", "MLR206", "unpinned-conda-dependency", "deps", ("config",), True, ("collect", "finalize")),
    ("checkpoints.unsafe_torch_load", "MLR301", "unsafe-torch-load", "checkpoints", ("python",), True, ("check",)),
    ("types.missing_type_annotation", "MLR401", "missing-type-annotation", "types", ("python",), True, ("collect", "finalize", "summarize")),
    ("notebooks.notebook_output", "MLR501", "notebook-output", "notebooks", ("notebook",), True, ("collect", "finalize")),
    ("docs.missing_readme", "MLR601", "missing-readme", "docs", ("pyproject", "python", "setup_cfg"), True, ("collect", "finalize")),
    ("docs.readme_missing_usage", "MLR602", "readme-missing-usage", "docs", ("pyproject", "python", "setup_cfg"), True, ("collect", "finalize")),
    ("docs.undocumented_entrypoint", "MLR603", "undocumented-entrypoint", "docs", ("python",), True, ("check", "collect", "summarize")),
    ("repo.secret_in_code", "MLR610", "secret-in-code", "repo", ("config", "pyproject", "python", "setup_cfg"), False, ("check",)),
    ("repo.gitignore_missing_outputs", "MLR611", "gitignore-missing-outputs", "repo", ("python",), True, ("collect", "finalize")),
    ("repo.large_artifact_committed", "MLR612", "large-artifact-committed", "repo", ("python",), False, ("finalize",)),
    ("repo.hardcoded_user_path", "MLR613", "hardcoded-user-path", "repo", ("python",), False, ("check",)),
    ("repo.no_tests", "MLR614", "no-tests", "repo", ("pyproject", "setup_cfg"), True, ("collect", "finalize")),
    ("repo.no_ci", "MLR615", "no-ci", "repo", ("python",), True, ("finalize",)),
    ("logging.print_only_progress", "MLR801", "print-only-progress", "logging", ("python",), True, ("collect", "finalize")),
    ("logging.no_experiment_tracker", "MLR802", "no-experiment-tracker", "logging", ("python",), True, ("collect", "finalize")),
    ("logging.hparams_not_logged", "MLR803", "hparams-not-logged", "logging", ("python",), True, ("collect", "finalize")),
    ("logging.code_version_not_logged", "MLR804", "code-version-not-logged", "logging", ("python",), False, ("collect", "finalize")),
    ("docs.missing_docstring", "MLR901", "missing-docstring", "docs", ("python",), False, ("check",)),
)
