"""One torch thread for these tests: on a shared two-core machine a second thread spins and
makes small models tens of times slower."""

import torch

torch.set_num_threads(1)
