"""Code that `training/` and `benchmarks/` share, so neither imports the other: dataset readers
(`data_readers`), metrics (`metrics`, ROUGE in `rouge/`) and baselines (`baselines`). Not part of the installed
`newsml` package; its extra dependencies are `pip install -e .[eval]`."""
