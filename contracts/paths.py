"""Where the contract sources, artifacts and the npm toolchain live."""

from pathlib import Path

CONTRACTS_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = CONTRACTS_DIR.parent
ARTIFACTS_DIR = CONTRACTS_DIR / "artifacts"
NODE_MODULES = PROJECT_ROOT / "node_modules"
