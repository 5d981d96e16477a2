"""The chain-event watcher: chain order, persisted cursors, confirmations, node outages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from contracts.chain import Chain, connect_url
from contracts.deploy import deploy_suite
from contracts.events import ChainEvent
from tem.anvil import AnvilNode
from tem.store import Store, open_store
from tem.watcher import EventWatcher, SettleFailed


class Recorder:
    """A consumer that remembers what it was handed; it can be told to fail once."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.fail_on: str | None = None

    async def __call__(self, event: ChainEvent, session: Session) -> None:
        if self.fail_on == event.event_id:
            self.fail_on = None
            raise RuntimeError("consumer crashed")
        self.seen.append(event.event_id)


def _token(chain: Chain, tmp_path: Path):  # type: ignore[no-untyped-def]
    manifest, _ = deploy_suite(
        chain,
        deployer=chain.accounts[0],
        deployments_dir=tmp_path / "deployments",
        roles={"TREASURY_ROLE": ["dev:1"]},
        fresh=True,
    )
    address = manifest.address("CreditToken")
    return chain.contract("CreditToken", address), {"CreditToken": address}


def _mint(chain: Chain, token, amount: int) -> None:  # type: ignore[no-untyped-def]
    chain.send(token.functions.mint(chain.accounts[2].address, amount), sender=chain.accounts[1])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'read-model.db'}")


def _watcher(chain: Chain, store: Store, contracts, handler, **kw) -> EventWatcher:  # type: ignore[no-untyped-def]
    return EventWatcher(
        chain=chain, store=store, consumer="test", contracts=contracts, handler=handler, **kw
    )


async def test_events_arrive_once_in_chain_order(
    chain: Chain, store: Store, tmp_path: Path
) -> None:
    token, contracts = _token(chain, tmp_path)
    for amount in (5, 6, 7):
        _mint(chain, token, amount)
    recorder = Recorder()
    watcher = _watcher(chain, store, contracts, recorder)
    assert (
        await watcher.poll_once() == 2 + 3 * 2
    )  # 2 role grants, then Transfer + CreditIssued each
    assert await watcher.poll_once() == 0
    names = [e.split(":")[1] for e in recorder.seen]
    assert names == ["0", "0", "0", "1", "0", "1", "0", "1"]  # log indexes within each tx
    assert len(set(recorder.seen)) == len(recorder.seen)


async def test_a_restarted_watcher_resumes_after_its_cursor(
    embedded_chain: Chain, store: Store, tmp_path: Path
) -> None:
    chain = embedded_chain
    token, contracts = _token(chain, tmp_path)
    _mint(chain, token, 1)
    first = Recorder()
    await _watcher(chain, store, contracts, first).poll_once()
    _mint(chain, token, 2)
    second = Recorder()
    await _watcher(chain, store, contracts, second).poll_once()  # a new process, same store
    assert len(second.seen) == 2
    assert not set(first.seen) & set(second.seen)


async def test_a_consumer_crash_redelivers_only_the_unhandled_event(
    embedded_chain: Chain, store: Store, tmp_path: Path
) -> None:
    chain = embedded_chain
    token, contracts = _token(chain, tmp_path)
    for amount in (1, 2):
        _mint(chain, token, amount)
    probe = Recorder()
    watcher = _watcher(chain, store, contracts, probe)
    watcher.store = open_store(f"sqlite:///{tmp_path / 'probe.db'}")
    await watcher.poll_once()
    fourth = probe.seen[3]

    recorder = Recorder()
    recorder.fail_on = fourth
    crashing = _watcher(chain, store, contracts, recorder, batch_size=1)
    with pytest.raises(RuntimeError, match="consumer crashed"):
        await crashing.poll_once()
    assert recorder.seen == probe.seen[:3]
    await _watcher(chain, store, contracts, recorder, batch_size=1).poll_once()
    assert recorder.seen == probe.seen  # the fourth exactly once, nothing repeated


async def test_a_crash_mid_batch_rolls_the_batch_back_and_replays_it_once(
    embedded_chain: Chain, store: Store, tmp_path: Path
) -> None:
    chain = embedded_chain
    token, contracts = _token(chain, tmp_path)
    for amount in (1, 2, 3):
        _mint(chain, token, amount)
    with store.transaction() as session:
        session.execute(text("CREATE TABLE seen (event_id TEXT PRIMARY KEY)"))
    calls: list[str] = []
    crash_at = 5

    async def effect(event: ChainEvent, session: Session) -> None:
        calls.append(event.event_id)
        if len(calls) == crash_at:
            raise RuntimeError("consumer crashed")
        # The effect lives in the batch's transaction: a crash takes it back.
        session.execute(text("INSERT INTO seen VALUES (:id)"), {"id": event.event_id})

    with pytest.raises(RuntimeError):
        await _watcher(chain, store, contracts, effect, batch_size=100).poll_once()
    with store.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM seen")).scalar() == 0
    await _watcher(chain, store, contracts, effect, batch_size=100).poll_once()
    with store.transaction() as session:
        stored = [r[0] for r in session.execute(text("SELECT event_id FROM seen"))]
    assert len(stored) == len(set(stored)) == 8  # every event once, in effect


async def test_only_confirmed_blocks_are_delivered(
    anvil_chain: Chain, store: Store, tmp_path: Path
) -> None:
    chain = anvil_chain
    token, contracts = _token(chain, tmp_path)
    recorder = Recorder()
    watcher = _watcher(chain, store, contracts, recorder, confirmations=3)
    _mint(chain, token, 8)
    watcher.start_block = chain.w3.eth.block_number  # the mint's block: 2 events
    await watcher.poll_once()
    assert recorder.seen == []  # the mint has 1 confirmation of the 3 needed
    for _ in range(2):
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    await watcher.poll_once()
    before = len(recorder.seen)
    assert before == 2
    _mint(chain, token, 9)
    await watcher.poll_once()
    assert len(recorder.seen) == before  # the mint's block has 1 confirmation, not 3
    for _ in range(2):
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    await watcher.poll_once()
    assert len(recorder.seen) == before + 2


async def test_the_watcher_rides_out_a_node_outage(tmp_path: Path, store: Store) -> None:
    state = tmp_path / "anvil-state.json"
    node = AnvilNode(tmp_path, state_path=state).start()
    try:
        chain = connect_url(node.url, keys=node.dev_keys(), local=True, timeout_s=1)
        token, contracts = _token(chain, tmp_path)
        recorder = Recorder()
        watcher = _watcher(chain, store, contracts, recorder)
        stop = asyncio.Event()
        running = asyncio.create_task(watcher.run(stop, poll_interval_s=0.05, max_backoff_s=0.2))
        await asyncio.sleep(0.5)
        assert len(recorder.seen) == 2
        node.stop()  # the node goes away, state dumped
        await asyncio.sleep(1.0)
        assert watcher.stats.outages >= 1
        node = AnvilNode(tmp_path, port=node.port, state_path=state).start()
        _mint(chain, token, 3)
        for _ in range(100):
            if len(recorder.seen) == 4:
                break
            await asyncio.sleep(0.1)
        stop.set()
        await running
        assert len(recorder.seen) == 4 and len(set(recorder.seen)) == 4
    finally:
        node.stop()


async def test_a_bus_that_does_not_settle_is_an_outage_and_the_batch_comes_again(
    embedded_chain: Chain, store: Store, tmp_path: Path
) -> None:
    """A settle hook that fails (e.g. no stream responders while a NATS cluster elects a
    leader) rolls the batch back; `run` keeps going and hands the batch over again."""
    chain = embedded_chain
    token, contracts = _token(chain, tmp_path)
    _mint(chain, token, 7)
    with store.transaction() as session:
        session.execute(text("CREATE TABLE seen (event_id TEXT PRIMARY KEY)"))
    failures = [RuntimeError("nats: no responders available for request")]

    async def effect(event: ChainEvent, session: Session) -> None:
        session.execute(text("INSERT INTO seen VALUES (:id)"), {"id": event.event_id})

    async def settle() -> None:
        if failures:
            raise failures.pop()

    watcher = _watcher(chain, store, contracts, effect, settle=settle)
    with pytest.raises(SettleFailed, match="no responders"):
        await watcher.poll_once()
    assert watcher.cursor() is None  # nothing moved
    with store.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM seen")).scalar() == 0
    failures.append(RuntimeError("nats: timeout"))
    stop = asyncio.Event()
    running = asyncio.create_task(watcher.run(stop, poll_interval_s=0.05))
    for _ in range(100):
        if watcher.stats.delivered:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await running
    assert watcher.stats.outages == 1
    with store.transaction() as session:
        stored = [r[0] for r in session.execute(text("SELECT event_id FROM seen"))]
    assert len(stored) == len(set(stored)) == 4  # 2 role grants, Transfer, CreditIssued
