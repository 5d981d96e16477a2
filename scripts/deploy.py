"""Deploy the contract suite and write the manifest: the same as `tem deploy`.

usage: python scripts/deploy.py [--fresh] [--roles roles.json]
Configuration comes from TEM_* variables (see README), e.g.
    TEM_CHAIN=https://besu.example.org TEM_CHAIN_ID=1337 TEM_KEYSTORE_FILE=deployer.json \
    TEM_KEYSTORE_PASSWORD=... python scripts/deploy.py --roles deploy/roles.json
"""

import sys

from tem.cli import main

if __name__ == "__main__":
    sys.argv = ["tem", "deploy", *sys.argv[1:]]
    main()
