"""User-facing failures of the driver: each carries a one-line message that names the problem and the fix.

The command line prints `error: <message>` and exits non-zero for any of these, without a traceback;
anything else is a bug and keeps its traceback.
"""


class CarePayError(Exception):
    """A mistake or condition the user can fix; `str(error)` says how."""

    exit_code = 1


class NetworkError(CarePayError):
    """Unknown network name, or the RPC endpoint does not answer."""

    exit_code = 2


class DeploymentMissing(CarePayError):
    """No manifest for the network, or no code at an address it names."""

    exit_code = 3


class DeploymentCodeMismatch(DeploymentMissing):
    """A deployment built from other contract code than this checkout's: never reused, never silently replaced."""


class ScenarioInvalid(CarePayError):
    """A scenario file that does not parse or does not validate (the message names file, line and field)."""

    exit_code = 4


class TransactionFailed(CarePayError):
    """A transaction reverted (the message carries the decoded custom error) or could not be sent."""

    exit_code = 5


class VerificationFailed(CarePayError):
    """`verify` found a breach."""

    exit_code = 6
