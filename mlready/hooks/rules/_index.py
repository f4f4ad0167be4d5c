"""The metadata of every rule, generated from the rule modules: do not edit.

Regenerate with ``python -m mlready.dev generate`` (a test fails when this file
is stale). Reading it costs nothing, so choosing rules, validating settings and
answering a run from the cache import no rule module.
"""

# families whose options table is rules/<family>/options.py (OPTIONS)
OPTION_FAMILIES: tuple[str, ...] = ("hparams", "config", "types", "repo")

# module, code, name, severity, family, kinds, default (on, off or explicit),
# functions defined
RULES: tuple[tuple[str, str, str, str, str, tuple[str, ...], str, tuple[str, ...]], ...] = (
    ("syntax_error", "MLR000", "syntax-error", "error", "core", ("config", "notebook", "pyproject", "python", "requirements", "setup_cfg"), "on", ("check",)),
    ("seeds.unseeded_python_random", "MLR001", "unseeded-python-random", "error", "seeds", ("python",), "on", ("collect", "finalize")),
    ("seeds.unseeded_numpy_random", "MLR002", "unseeded-numpy-random", "error", "seeds", ("python",), "on", ("collect", "finalize")),
    ("seeds.unseeded_torch_random", "MLR003", "unseeded-torch-random", "error", "seeds", ("python",), "on", ("collect", "finalize")),
    ("seeds.unseeded_cuda_random", "MLR004", "unseeded-cuda-random", "error", "seeds", ("python",), "on", ("collect", "finalize")),
    ("seeds.unseeded_environment", "MLR005", "unseeded-environment", "error", "seeds", ("python",), "on", ("collect", "finalize")),
    ("seeds.nondeterministic_training", "MLR006", "nondeterministic-training", "error", "seeds", ("python",), "on", ("collect", "finalize")),
    ("seeds.cudnn_benchmark_with_determinism", "MLR007", "cudnn-benchmark-with-determinism", "error", "seeds", ("python",), "on", ("collect", "finalize")),
    ("seeds.unseeded_dataloader_workers", "MLR008", "unseeded-dataloader-workers", "error", "seeds", ("python",), "on", ("collect", "finalize")),
    ("hparams.hardcoded_learning_rate", "MLR101", "hardcoded-learning-rate", "warning", "hparams", ("python",), "on", ("check",)),
    ("hparams.hardcoded_batch_size", "MLR102", "hardcoded-batch-size", "warning", "hparams", ("python",), "on", ("check",)),
    ("hparams.hardcoded_training_length", "MLR103", "hardcoded-training-length", "warning", "hparams", ("python",), "on", ("check",)),
    ("hparams.hardcoded_optimizer_hyperparameter", "MLR104", "hardcoded-optimizer-hyperparameter", "warning", "hparams", ("python",), "on", ("check",)),
    ("hparams.hardcoded_lr_schedule", "MLR105", "hardcoded-lr-schedule", "warning", "hparams", ("python",), "on", ("check",)),
    ("hparams.hardcoded_rl_hyperparameter", "MLR106", "hardcoded-rl-hyperparameter", "warning", "hparams", ("python",), "on", ("check",)),
    ("config.missing_config_file", "MLR110", "missing-config-file", "error", "config", ("python",), "on", ("collect", "finalize")),
    ("config.no_training_config", "MLR111", "no-training-config", "warning", "config", ("python",), "on", ("collect", "finalize")),
    ("config.duplicate_config_key", "MLR112", "duplicate-config-key", "error", "config", ("config",), "on", ("check",)),
    ("deps.unpinned_requirement", "MLR201", "unpinned-requirement", "error", "deps", ("requirements",), "on", ("collect", "finalize")),
    ("deps.unpinned_vcs_requirement", "MLR202", "unpinned-vcs-requirement", "error", "deps", ("config", "pyproject", "requirements", "setup_cfg"), "on", ("collect", "finalize")),
    ("deps.missing_requirements_include", "MLR203", "missing-requirements-include", "error", "deps", ("pyproject", "requirements"), "on", ("collect", "finalize")),
    ("deps.unpinned_project_dependency", "MLR204", "unpinned-project-dependency", "error", "deps", ("pyproject", "python", "requirements", "setup_cfg"), "on", ("collect", "finalize")),
    ("deps.no_dependency_manifest", "MLR205", "no-dependency-manifest", "error", "deps", ("pyproject", "python"), "on", ("collect", "finalize")),
    ("deps.unpinned_conda_dependency", "MLR206", "unpinned-conda-dependency", "error", "deps", ("config",), "on", ("collect", "finalize")),
    ("checkpoints.unsafe_torch_load", "MLR301", "unsafe-torch-load", "error", "checkpoints", ("python",), "on", ("check",)),
    ("checkpoints.checkpoint_without_optimizer_state", "MLR302", "checkpoint-without-optimizer-state", "error", "checkpoints", ("python",), "on", ("check",)),
    ("checkpoints.whole_module_torch_save", "MLR303", "whole-module-torch-save", "error", "checkpoints", ("python",), "on", ("check",)),
    ("checkpoints.unsafe_deserialization", "MLR304", "unsafe-deserialization", "error", "checkpoints", ("python",), "on", ("check",)),
    ("checkpoints.resume_without_rng_state", "MLR305", "resume-without-rng-state", "warning", "checkpoints", ("python",), "off", ("collect", "finalize")),
    ("types.missing_type_annotation", "MLR401", "missing-type-annotation", "note", "types", ("python",), "off", ("collect", "finalize", "summarize")),
    ("notebooks.notebook_output", "MLR501", "notebook-output", "warning", "notebooks", ("notebook",), "on", ("collect", "finalize")),
    ("docs.missing_readme", "MLR601", "missing-readme", "warning", "docs", ("pyproject", "python", "setup_cfg"), "on", ("collect", "finalize")),
    ("docs.readme_missing_usage", "MLR602", "readme-missing-usage", "warning", "docs", ("pyproject", "python", "setup_cfg"), "on", ("collect", "finalize")),
    ("docs.undocumented_entrypoint", "MLR603", "undocumented-entrypoint", "note", "docs", ("python",), "off", ("check", "collect", "summarize")),
    ("repo.secret_in_code", "MLR610", "secret-in-code", "error", "repo", ("config", "pyproject", "python", "setup_cfg"), "off", ("check",)),
    ("repo.gitignore_missing_outputs", "MLR611", "gitignore-missing-outputs", "warning", "repo", ("python",), "on", ("collect", "finalize")),
    ("repo.large_artifact_committed", "MLR612", "large-artifact-committed", "warning", "repo", ("python",), "off", ("finalize",)),
    ("repo.hardcoded_user_path", "MLR613", "hardcoded-user-path", "warning", "repo", ("python",), "off", ("check",)),
    ("repo.no_tests", "MLR614", "no-tests", "warning", "repo", ("pyproject", "setup_cfg"), "on", ("collect", "finalize")),
    ("repo.no_ci", "MLR615", "no-ci", "warning", "repo", ("python",), "on", ("finalize",)),
    ("training.eval_without_no_grad", "MLR701", "eval-without-no-grad", "warning", "training", ("python",), "off", ("check",)),
    ("training.deprecated_amp_api", "MLR702", "deprecated-amp-api", "warning", "training", ("python",), "on", ("check",)),
    ("training.loss_accumulated_with_graph", "MLR703", "loss-accumulated-with-graph", "error", "training", ("python",), "off", ("check",)),
    ("training.step_without_zero_grad", "MLR704", "step-without-zero-grad", "error", "training", ("python",), "off", ("check",)),
    ("logging.print_only_progress", "MLR801", "print-only-progress", "warning", "logging", ("python",), "on", ("collect", "finalize")),
    ("logging.no_experiment_tracker", "MLR802", "no-experiment-tracker", "warning", "logging", ("python",), "on", ("collect", "finalize")),
    ("logging.hparams_not_logged", "MLR803", "hparams-not-logged", "warning", "logging", ("python",), "on", ("collect", "finalize")),
    ("logging.code_version_not_logged", "MLR804", "code-version-not-logged", "note", "logging", ("python",), "off", ("collect", "finalize")),
    ("unused_noqa", "MLR900", "unused-noqa", "warning", "core", ("config", "pyproject", "python", "requirements", "setup_cfg"), "explicit", ()),
    ("docs.missing_docstring", "MLR901", "missing-docstring", "note", "docs", ("python",), "explicit", ("check",)),
)
