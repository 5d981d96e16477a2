"""The voucher oracle: a reward redemption on-chain becomes a voucher code for its owner.

A code is 20 digits like a prepaid-meter token: 19 digits from the operating system's
cryptographic random source and a Luhn check digit, so a mistyped digit is caught before
any lookup. Only keccak256(code) goes on-chain (`fulfil`, answered by `VoucherIssued`);
the code itself goes to the owner's bus subject and stays in the read model for the
owner-only API, never in logs or on the audit feed.

Crash safety: the code is stored (committed) before the chain transaction, so a replay of
the same redemption reuses it; a redemption already fulfilled on-chain is not sent again.
That commit runs in a transaction of its own, so the watcher feeding this oracle must hand
events over one at a time (`batch_size=1`, `WATCH_BATCH` below): a batch transaction
holding SQLite's write lock would block it.
A redemption of a kind this oracle cannot fulfil is left to expire and then refunded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from sqlalchemy import BigInteger, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from contracts.chain import Chain
from contracts.errors import ContractRevert
from contracts.events import ChainEvent
from oracles.audit import Auditor
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BusMessage, OracleAction
from tem.store import Base, Store

CODE_DIGITS = 20
WATCH_BATCH = 1  # see the module docstring
STATUS_PENDING = 1  # IRewardToken.RedemptionStatus.Pending
STATUS_FULFILLED = 2


def luhn_check_digit(digits: str) -> int:
    """The digit that makes `digits + check` pass the Luhn test."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2 == 0:  # doubled positions, counted from the right of the final code
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return (10 - total % 10) % 10


def new_voucher_code() -> str:
    body = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS - 1))
    return body + str(luhn_check_digit(body))


def is_valid_code(code: str) -> bool:
    return (
        len(code) == CODE_DIGITS and code.isdigit() and luhn_check_digit(code[:-1]) == int(code[-1])
    )


def code_hash(code: str) -> bytes:
    return keccak(text=code)


def kind_label(kind: bytes) -> str:
    """bytes32 kinds are short ASCII labels right-padded with zeros, e.g. b"GROCERY"."""
    return kind.rstrip(b"\0").decode("ascii", errors="replace")


class VoucherRecord(Base):
    __tablename__ = "vouchers"

    redemption_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    redeemer: Mapped[str] = mapped_column(String(42), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str | None] = mapped_column(String(CODE_DIGITS), nullable=True)
    code_hash: Mapped[str | None] = mapped_column(String(66), unique=True, nullable=True)
    # issued -> confirmed (VoucherIssued seen); unfulfillable -> refunded
    status: Mapped[str] = mapped_column(String(16))
    tx_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)


class VoucherDelivered(BusMessage):
    """To the owner only (`tem.voucher.issued.<owner>`): the code of a fulfilled redemption."""

    redemption_id: int
    owner: str
    kind: str
    amount: int
    code: str


@dataclass
class VoucherOracle:
    chain: Chain
    store: Store
    bus: Bus
    auditor: Auditor
    reward_token: str  # address
    signer: LocalAccount
    kinds: frozenset[str] = frozenset({"GROCERY", "TRANSIT", "ENERGY_BILL"})
    delivered: int = field(default=0, init=False)

    @property
    def contract(self):  # type: ignore[no-untyped-def]
        return self.chain.contract("RewardToken", self.reward_token)

    async def handle(self, event: ChainEvent, session: Session) -> None:
        if event.name == "RewardRedeemed":
            await self._redeemed(event, session)
        elif event.name == "VoucherIssued":
            row = session.get(VoucherRecord, (event.args["redemptionId"], self.chain.chain_id))
            if row is not None:
                row.status, row.tx_hash = "confirmed", event.tx_hash
        elif event.name == "RedemptionRefunded":
            row = session.get(VoucherRecord, (event.args["redemptionId"], self.chain.chain_id))
            if row is not None:
                row.status, row.tx_hash = "refunded", event.tx_hash

    def _stored(self, redemption_id: int) -> VoucherRecord | None:
        with self.store.transaction() as session:
            return session.get(VoucherRecord, (redemption_id, self.chain.chain_id))

    async def _redeemed(self, event: ChainEvent, session: Session) -> None:
        rid = int(event.args["redemptionId"])
        owner = str(event.args["redeemer"])
        kind = kind_label(bytes(event.args["kind"]))
        row = self._stored(rid)
        if row is None:
            fulfillable = kind in self.kinds
            row = VoucherRecord(
                redemption_id=rid,
                chain_id=self.chain.chain_id,
                redeemer=owner,
                kind=kind,
                amount=int(event.args["amount"]),
                deadline=int(event.args["deadline"]),
                code=self._unique_code() if fulfillable else None,
                status="issued" if fulfillable else "unfulfillable",
            )
            if row.code is not None:
                row.code_hash = "0x" + code_hash(row.code).hex()
            with self.store.transaction() as own:  # committed before anything leaves
                own.add(row)
        if row.status == "unfulfillable":
            await self.auditor.record(
                OracleAction(
                    oracle="voucher",
                    action="redemption.unfulfillable",
                    status="alarm",
                    subject_id=owner,
                    detail=f"redemption {rid}: unknown kind {kind!r}; refunded after its deadline",
                ),
                msg_id=f"{event.event_id}:unfulfillable",
                session=session,
            )
            return
        assert row.code is not None and row.code_hash is not None
        tx_hash = None
        on_chain = self.chain.call(self.contract.functions.redemption(rid))
        if on_chain[2] == STATUS_PENDING:  # not fulfilled by an earlier run that crashed
            try:
                receipt = self.chain.send(
                    self.contract.functions.fulfil(rid, bytes.fromhex(row.code_hash[2:])),
                    sender=self.signer,
                )
                tx_hash = receipt["transactionHash"].to_0x_hex()
            except ContractRevert as exc:
                await self.auditor.record(
                    OracleAction(
                        oracle="voucher",
                        action="voucher.failed",
                        status="alarm",
                        subject_id=owner,
                        detail=f"redemption {rid}: {exc}",
                    ),
                    msg_id=f"{event.event_id}:failed",
                    session=session,
                )
                return
        await self.bus.publish_durable(
            subjects.voucher_issued(owner),
            VoucherDelivered(
                redemption_id=rid, owner=owner, kind=kind, amount=row.amount, code=row.code
            ),
            msg_id=f"voucher:{self.chain.chain_id}:{rid}",
        )
        self.delivered += 1
        await self.auditor.record(
            OracleAction(
                oracle="voucher",
                action="voucher.issued",
                subject_id=owner,
                tx_hash=tx_hash,
                detail=f"redemption {rid}, {kind}, {row.amount} rewards",
            ),
            msg_id=f"{event.event_id}:issued",
            session=session,
        )

    def _unique_code(self) -> str:
        with self.store.transaction() as session:
            while True:  # 10^19 codes: a clash is astronomically rare, but never reuse one
                code = new_voucher_code()
                taken = session.scalar(
                    select(VoucherRecord.redemption_id).where(
                        VoucherRecord.code_hash == "0x" + code_hash(code).hex()
                    )
                )
                if taken is None:
                    return code

    async def refund_expired(self, *, now_s: int) -> list[int]:
        """Refund every unfulfillable redemption past its deadline; return their ids."""
        async with self.store.turn():
            return await self._refund_expired(now_s)

    async def _refund_expired(self, now_s: int) -> list[int]:
        with self.store.transaction() as session:
            due = session.scalars(
                select(VoucherRecord).where(
                    VoucherRecord.status == "unfulfillable",
                    VoucherRecord.chain_id == self.chain.chain_id,
                    VoucherRecord.deadline < now_s,
                )
            ).all()
        refunded = []
        for row in due:
            try:
                receipt = self.chain.send(
                    self.contract.functions.refund(row.redemption_id), sender=self.signer
                )
            except ContractRevert as exc:
                if exc.name != "RewardRedemptionClosed":
                    raise
                receipt = None  # someone else refunded it already
            with self.store.transaction() as session:
                stored = session.get(VoucherRecord, (row.redemption_id, self.chain.chain_id))
                assert stored is not None
                stored.status = "refunded"
            tx = receipt["transactionHash"].to_0x_hex() if receipt else None
            await self.auditor.record(
                OracleAction(
                    oracle="voucher",
                    action="redemption.refunded",
                    subject_id=row.redeemer,
                    tx_hash=tx,
                    detail=f"redemption {row.redemption_id}",
                ),
                msg_id=f"refund:{self.chain.chain_id}:{row.redemption_id}",
            )
            refunded.append(row.redemption_id)
        return refunded
