"""CareUSD deployment: metadata, EIP-712 domain, constants and initial roles."""

import ape
from ape.utils import ZERO_ADDRESS
from eth_abi import encode
from eth_utils import keccak

from carepay import signing


def _hash(text):
    return keccak(text=text)


def test_metadata__name_symbol_decimals__match_usdc_style(token):
    assert token.name() == "CareUSD"
    assert token.symbol() == "cUSD"
    assert token.decimals() == 6
    assert token.totalSupply() == 0


def test_roles__constants__are_keccak_of_their_names(token):
    for name in ("MINTER_ADMIN_ROLE", "MINTER_ROLE", "PAUSER_ROLE", "FREEZER_ROLE"):
        assert getattr(token, name)() == _hash(name)
    assert token.DEFAULT_ADMIN_ROLE() == b"\x00" * 32


def test_typehashes__constants__match_eip3009_and_eip2612(token):
    fields = "address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce"
    assert token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH() == _hash(f"TransferWithAuthorization({fields})")
    assert token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH() == _hash(f"ReceiveWithAuthorization({fields})")
    assert token.CANCEL_AUTHORIZATION_TYPEHASH() == _hash("CancelAuthorization(address authorizer,bytes32 nonce)")
    assert token.PERMIT_TYPEHASH() == _hash(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    )


def test_eip712_domain__eip5267__reports_name_version_chain_and_token(token, chain_id):
    domain = token.eip712Domain()
    assert domain.fields == b"\x0f"  # name, version, chainId, verifyingContract
    assert domain.name == "CareUSD"
    assert domain.version == "1"
    assert domain.chainId == chain_id
    assert domain.verifyingContract == token.address
    assert domain.salt == b"\x00" * 32
    assert list(domain.extensions) == []


def test_domain_separator__computed_independently__matches(token, chain_id):
    domain_typehash = _hash("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [domain_typehash, _hash("CareUSD"), _hash("1"), chain_id, token.address],
        )
    )
    assert token.DOMAIN_SEPARATOR() == expected
    # The Python helpers build the same domain.
    typed = signing.cancel_authorization_typed_data(token.address, chain_id, token.address, b"\x00" * 32)
    assert typed["domain"] == {
        "name": "CareUSD",
        "version": "1",
        "chainId": chain_id,
        "verifyingContract": token.address,
    }


def test_constructor__roles__only_default_admin_is_granted(deploy_careusd, admin, alice, admin_delay):
    careusd = deploy_careusd(admin, initial_admin=alice)
    assert careusd.defaultAdmin() == alice
    assert careusd.owner() == alice
    assert careusd.hasRole(careusd.DEFAULT_ADMIN_ROLE(), alice)
    assert not careusd.hasRole(careusd.DEFAULT_ADMIN_ROLE(), admin)
    assert careusd.defaultAdminDelay() == admin_delay
    for name in ("MINTER_ADMIN_ROLE", "MINTER_ROLE", "PAUSER_ROLE", "FREEZER_ROLE"):
        assert not careusd.hasRole(getattr(careusd, name)(), alice)
    assert not careusd.paused()


def test_constructor__role_admins__minters_belong_to_minter_admin(token):
    default_admin = token.DEFAULT_ADMIN_ROLE()
    assert token.getRoleAdmin(token.MINTER_ROLE()) == token.MINTER_ADMIN_ROLE()
    assert token.getRoleAdmin(token.MINTER_ADMIN_ROLE()) == default_admin
    assert token.getRoleAdmin(token.PAUSER_ROLE()) == default_admin
    assert token.getRoleAdmin(token.FREEZER_ROLE()) == default_admin


def test_constructor__events__role_admin_change_and_admin_grant(deploy_careusd, admin, chain):
    careusd = deploy_careusd(admin)
    receipt = chain.get_receipt(careusd.txn_hash)
    assert receipt.events == [
        careusd.RoleGranted(careusd.DEFAULT_ADMIN_ROLE(), admin, admin),
        careusd.RoleAdminChanged(careusd.MINTER_ROLE(), careusd.DEFAULT_ADMIN_ROLE(), careusd.MINTER_ADMIN_ROLE()),
    ]


def test_constructor__zero_admin__reverts(project, admin, admin_delay):
    with ape.reverts(project.CareUSD.AccessControlInvalidDefaultAdmin, defaultAdmin=ZERO_ADDRESS):
        admin.deploy(project.CareUSD, admin_delay, ZERO_ADDRESS)


def test_supports_interface__access_control_rules_and_erc165(token):
    # Interface ids computed from the function selectors (XOR), as ERC-165 defines them.
    def interface_id(*signatures):
        value = 0
        for signature in signatures:
            value ^= int.from_bytes(keccak(text=signature)[:4], "big")
        return value.to_bytes(4, "big")

    erc165 = interface_id("supportsInterface(bytes4)")
    access_control = interface_id(
        "hasRole(bytes32,address)",
        "getRoleAdmin(bytes32)",
        "grantRole(bytes32,address)",
        "revokeRole(bytes32,address)",
        "renounceRole(bytes32,address)",
    )
    assert token.supportsInterface(erc165)
    assert token.supportsInterface(access_control)
    assert not token.supportsInterface(b"\xff\xff\xff\xff")
