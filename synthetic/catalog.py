"""The product catalogue: a few hundred clothes, each trousers paired with its jacket.

Small enough to keep in memory; web sessions and store tickets draw products from it with a
Zipf-like popularity, the way a few bestsellers make most of a real shop's sales.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from synthetic.rand import Weighted

SHOP_URL = "https://shop.example.com"
CATEGORIES = ("trousers", "jacket", "shirt", "shoes", "dress", "knitwear", "accessories")
COLORS = ("navy", "charcoal", "black", "beige", "olive", "grey", "camel", "écru", "burgundy")
SUIT_LINES = ("Tailored", "Urban", "Heritage", "Travel", "Linen", "Flex")
# category → (styles, colours to draw per style, price range in euros)
OTHER_STYLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[int, int]]] = {
    "jacket": (("Rain jacket", "Denim jacket", "Quilted jacket"), COLORS, (119, 249)),
    "shirt": (("Oxford shirt", "Poplin shirt", "Linen shirt", "Flannel shirt", "Denim shirt"),
              ("white", "light blue", "pink", "navy", "check", "stripe"), (39, 89)),
    "shoes": (("Derby shoes", "Sneakers", "Penny loafers", "Chelsea boots", "Running shoes"),
              ("black", "brown", "white", "tan", "navy"), (79, 219)),
    "dress": (("Wrap dress", "Shirt dress", "Midi dress", "Maxi dress", "Slip dress"),
              ("black", "red", "navy", "floral", "green", "écru"), (59, 179)),
    "knitwear": (("Merino crew-neck", "Cashmere V-neck", "Cable cardigan", "Cotton polo",
                  "Roll-neck"), COLORS, (49, 229)),
    "accessories": (("Leather belt", "Wool scarf", "Silk tie", "Canvas tote", "Baseball cap",
                     "Leather wallet"), ("black", "brown", "navy", "camel", "grey"), (15, 89)),
}  # fmt: skip
COLORS_PER_STYLE = 6


@dataclass(slots=True)
class Product:
    product_id: str
    name: str
    category: str
    color: str
    price_cents: int
    matches_product_id: str = ""

    @property
    def price(self) -> str:
        return f"{self.price_cents // 100}.{self.price_cents % 100:02d}"

    @property
    def url(self) -> str:
        return f"{SHOP_URL}/p/{self.product_id}"

    def row(self) -> list[str]:
        return [
            self.product_id,
            self.name,
            self.category,
            self.color,
            self.price,
            "EUR",
            self.matches_product_id,
            self.url,
            f"{SHOP_URL}/img/{self.product_id}.jpg",
        ]


class Catalog:
    """The products (in id order), their popularity, and the trousers with a matching jacket."""

    def __init__(self, products: list[Product], by_popularity: list[Product]) -> None:
        self.products = tuple(products)
        zipf = [1.0 / (rank + 1) ** 0.8 for rank in range(len(products))]
        self._popular = Weighted(by_popularity, zipf)
        self.paired_trousers = tuple(
            p for p in products if p.category == "trousers" and p.matches_product_id
        )

    def pick(self, rng: random.Random) -> Product:
        return self._popular.pick(rng)


def build_catalog(rng: random.Random) -> Catalog:
    pairs = _suits(rng)
    products = [p for pair in pairs for p in pair] + _others(rng)
    rng.shuffle(products)
    for number, product in enumerate(products, start=1):
        product.product_id = f"P{number:05d}"
    for trousers, jacket in pairs:
        trousers.matches_product_id = jacket.product_id
        jacket.matches_product_id = trousers.product_id
    by_popularity = products[:]
    rng.shuffle(by_popularity)
    return Catalog(products, by_popularity)


def _price(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) * 100 + rng.choice((90, 90, 90, 0, 0, 95))


def _suits(rng: random.Random) -> list[tuple[Product, Product]]:
    """Trousers and jacket of the same line and colour; ids and the pairing are set later."""
    pairs = []
    for line in SUIT_LINES:
        for color in rng.sample(COLORS, COLORS_PER_STYLE):
            trousers = Product(
                "", f"{line} trousers, {color}", "trousers", color, _price(rng, 59, 139)
            )
            jacket = Product("", f"{line} jacket, {color}", "jacket", color, _price(rng, 149, 349))
            pairs.append((trousers, jacket))
    return pairs


def _others(rng: random.Random) -> list[Product]:
    products = []
    for category, (styles, colors, (low, high)) in OTHER_STYLES.items():
        for style in styles:
            for color in rng.sample(colors, min(COLORS_PER_STYLE, len(colors))):
                products.append(
                    Product("", f"{style}, {color}", category, color, _price(rng, low, high))
                )
    return products
