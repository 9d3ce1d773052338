"""The moto_server launcher (test/support/moto_server.py): what it keeps is what moto would list on each request."""
import importlib.util
import logging
import pathlib
import subprocess
import sys

LAUNCHER = pathlib.Path(__file__).with_name("moto_server.py")


def load_launcher():
    spec = importlib.util.spec_from_file_location("moto_server_launcher", LAUNCHER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_listing_kept_is_motos_own_and_replaces_it():
    launcher = load_launcher()
    from moto import backends

    assert set(launcher._moto_listing()) == launcher._MODULES
    assert backends.list_of_moto_modules() is launcher._MODULES
    # The hosts the tests' requests name (SigV4 credential scopes) are found in it.
    assert {"s3", "sagemaker", "iam", "sts", "dynamodb", "events", "cloudformation"} <= launcher._MODULES
    assert "__pycache__" not in launcher._MODULES


def test_request_lines_are_off_and_warnings_still_logged():
    load_launcher()
    from werkzeug._internal import _log

    # werkzeug turns its logger to INFO on its first line when the level is unset (the request lines); set, it stays.
    _log("warning", "a warning")
    werkzeug = logging.getLogger("werkzeug")
    assert werkzeug.level == logging.WARNING
    assert not werkzeug.isEnabledFor(logging.INFO)
    assert werkzeug.isEnabledFor(logging.WARNING)


def test_it_takes_moto_servers_arguments():
    result = subprocess.run([sys.executable, str(LAUNCHER), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--port" in result.stdout and "--host" in result.stdout
