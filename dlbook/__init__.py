"""dlbook: the code behind the bilingual deep-learning book.

Each concept lives in ``dlbook/<part>/<concept>.py`` as a readable NumPy reference, with a
PyTorch counterpart of the same public names in ``<concept>_torch.py``.

>>> import dlbook
>>> dlbook.__version__
'0.1.0'
"""

__version__ = "0.1.0"
