"""Quality harnesses: `newsbot eval summaries` and `newsbot eval topics`."""
