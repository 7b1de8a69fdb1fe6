"""CareUSD fixtures: named actors, a deployed token with every role assigned, and factories.

Private keys: ape's test accounts are anvil dev accounts derived from ape's test mnemonic, and each
exposes its key as ``account.private_key``; the signing helpers in ``carepay.signing`` take that key.
For a key-only signer that never sends a transaction, ``eth_account.Account.create()`` is enough.
"""

import pytest
from eth_account import Account

from carepay import signing

ONE = 10**6  # one cUSD in token units (6 decimals)


@pytest.fixture(scope="session")
def admin_delay():
    """Seconds a new default admin waits before it may accept the role."""
    return 3 * 24 * 3600


@pytest.fixture(scope="session")
def minter_allowance():
    """Mint allowance of the `minter` fixture, in token units."""
    return 1_000_000 * ONE


# ----------------------------------------------------------------------------------------------- actors


@pytest.fixture(scope="session")
def admin(accounts):
    """Default admin (AccessControlDefaultAdminRules) and deployer."""
    return accounts[0]


@pytest.fixture(scope="session")
def minter_admin(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def pauser(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def freezer(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def minter(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def relayer(accounts):
    """Submits signed messages on behalf of others; holds no role."""
    return accounts[8]


@pytest.fixture(scope="session")
def new_admin(accounts):
    return accounts[9]


@pytest.fixture(scope="session")
def outsider():
    """A key that never sends a transaction (signs only): the 'wrong signer'."""
    return Account.create()


# ------------------------------------------------------------------------------------------------ token


@pytest.fixture(scope="session")
def deploy_careusd(project, admin_delay):
    """Factory: deploys a CareUSD from `deployer` with default admin `initial_admin`."""

    def deploy(deployer, initial_admin=None, initial_delay=None):
        delay = admin_delay if initial_delay is None else initial_delay
        return deployer.deploy(project.CareUSD, delay, deployer if initial_admin is None else initial_admin)

    return deploy


@pytest.fixture(scope="session")
def token(deploy_careusd, admin, minter_admin, pauser, freezer, minter, minter_allowance):
    """CareUSD with each role held by its named actor and `minter` allowed `minter_allowance`."""
    careusd = deploy_careusd(admin)
    careusd.grantRole(careusd.MINTER_ADMIN_ROLE(), minter_admin, sender=admin)
    careusd.grantRole(careusd.PAUSER_ROLE(), pauser, sender=admin)
    careusd.grantRole(careusd.FREEZER_ROLE(), freezer, sender=admin)
    careusd.configureMinter(minter, minter_allowance, sender=minter_admin)
    return careusd


@pytest.fixture(scope="session")
def fund(token, minter):
    """Factory: mints `amount` cUSD units to `to` through the configured minter."""

    def mint_to(to, amount):
        return token.mint(to, amount, sender=minter)

    return mint_to


@pytest.fixture(scope="session")
def chain_id(chain):
    return chain.chain_id


@pytest.fixture(scope="session")
def smart_wallet(project, admin, alice):
    """An ERC-1271 wallet whose signatures are alice's ECDSA signatures of the digest."""
    return admin.deploy(project.CareUSDSmartWalletMock, alice)


# ----------------------------------------------------------------------------------------- signing helpers


@pytest.fixture(scope="session")
def sign_permit(token, chain_id):
    """Factory: EIP-2612 permit signed by `owner` (an ape test account, or pass `key`)."""

    def sign(owner, spender, value, deadline, nonce=None, key=None):
        nonce = token.nonces(owner) if nonce is None else nonce
        return signing.sign_permit(
            key or owner.private_key, token.address, chain_id, owner, spender, value, nonce, deadline
        )

    return sign


@pytest.fixture(scope="session")
def sign_authorization(token, chain_id):
    """Factory: EIP-3009 transfer (default) or receive authorization signed by `from_`'s key.

    The caller supplies the nonce (e.g. `signing.random_nonce()`) so the test can refer to it.
    """

    def sign(from_, to, value, valid_after, valid_before, nonce, receive=False, key=None):
        sign_fn = signing.sign_receive_authorization if receive else signing.sign_transfer_authorization
        return sign_fn(
            key or from_.private_key, token.address, chain_id, from_, to, value, valid_after, valid_before, nonce
        )

    return sign


@pytest.fixture(scope="session")
def sign_cancel(token, chain_id):
    """Factory: EIP-3009 cancellation of `authorizer`'s `nonce`."""

    def sign(authorizer, nonce, key=None):
        return signing.sign_cancel_authorization(
            key or authorizer.private_key, token.address, chain_id, authorizer, nonce
        )

    return sign


@pytest.fixture
def now(chain):
    """Timestamp the next transaction will see, if nothing changes it."""
    return chain.pending_timestamp
