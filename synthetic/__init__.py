"""The synthetic data generator: sources that look like a retailer's exports, made up.

`synthetic.landing.generate_landing` is its public face (`touchpoint generate`).
"""
