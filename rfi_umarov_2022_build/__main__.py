"""python -m rfi_umarov_2022_build [--check] [--root DIR]"""

import sys

from rfi_umarov_2022_build.pipeline import main

sys.exit(main())
