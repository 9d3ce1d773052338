"""A step script for the tests of the step runner (sagemaker-pipeline/local_runner.py): `--do <behaviour>` picks what
it does, so that one script serves as every processing step, the training and the evaluation of a test pipeline.
Its only imports are the standard library's (already imported by the runner: `json` is shared state to leak)."""
import argparse
import json
import os
import signal
import sys
import time

METRIC_PATHS = {"mse": "regression_metrics.mse.value"}


def parse_args():
    parser = argparse.ArgumentParser(allow_abbrev=False)
    parser.add_argument("--do", default="evaluate", choices=[
        "ok", "mutate", "check", "stdin", "raise", "exit-message", "exit-3", "exit-none", "signal", "interrupt",
        "where", "kill-runner", "train", "evaluate"])
    # Spelled out: run.js reads each option from the parser's calls (src/script-interface.ts).
    parser.add_argument("--raw")
    parser.add_argument("--out")
    parser.add_argument("--model")
    parser.add_argument("--test")
    parser.add_argument("--evaluation")
    return parser.parse_args()


def fail():
    raise ValueError("the step failed on purpose")


def main(args):
    print(f"step {args.do}: argv {sys.argv[1:]}")
    print(f"to stderr before {args.do}", file=sys.stderr)
    if args.do == "mutate":
        json.LEAK = "set by the mutate step"  # a module-level global of a module the runner imported
    elif args.do == "check":
        if hasattr(json, "LEAK"):
            sys.exit(f"json.LEAK = {json.LEAK!r}: a previous step's module state leaked into this step")
        print("no state of a previous step")
    elif args.do == "stdin":
        print(f"stdin read {sys.stdin.read()!r}")
    elif args.do == "raise":
        fail()
    elif args.do == "exit-message":
        sys.exit("stopped: the input has no rows")
    elif args.do == "exit-3":
        sys.exit(3)
    elif args.do == "exit-none":
        sys.exit(None)
    elif args.do == "signal":
        os.kill(os.getpid(), signal.SIGTERM)
    elif args.do == "interrupt":
        raise KeyboardInterrupt
    elif args.do == "where":
        with open(f"/proc/{os.getppid()}/cmdline", "rb") as f:
            parent = f.read().replace(b"\0", b" ").decode().strip()
        print(f"parent {os.getppid()}: {parent}")
    elif args.do == "kill-runner":
        print(f"step pid {os.getpid()}", flush=True)
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(120)
    elif args.do == "train":
        with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
            json.dump({"trained": True}, f)
    elif args.do == "evaluate" and args.evaluation:
        os.makedirs(args.evaluation, exist_ok=True)
        with open(os.path.join(args.evaluation, "evaluation.json"), "w") as f:
            json.dump({"regression_metrics": {"mse": {"value": 1.5}}}, f)
    if args.out:
        with open(os.path.join(args.out, "done.txt"), "w") as f:
            f.write(args.do)


if __name__ == "__main__":
    main(parse_args())
