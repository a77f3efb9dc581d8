"""The synthetic data generator: sources that look like a retailer's exports, made up.

`synthetic.landing.generate_landing` is its public face (`touchpoint generate`); the recipients
of what a run then sent are simulated by `synthetic.reactions` (`touchpoint simulate-reactions`).
"""
