"""Seeded generator of the demo store: catalog, customers with 18 months of orders, policies.

    python -m data.demo            # rewrites data/demo/ (same seed -> same files)

Everything here is invented for the demo; no row comes from a real data set.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from data import DEMO_DIR
from data.schema import Product

SEED = 20261101
START = date(2025, 5, 1)  # first day of order history
TODAY = date(2026, 11, 1)  # the demo store's "now": the day after the last possible order


@dataclass(frozen=True)
class CategorySpec:
    name: str
    kinds: tuple[str, ...]  # product types, e.g. "rain jacket"
    brands: tuple[str, ...]
    price: tuple[float, float]
    features: tuple[str, ...]  # phrases that become sentences and tags
    uses: tuple[str, ...]
    materials: tuple[str, ...]


CATEGORIES = (
    CategorySpec("headphones", ("over-ear headphones", "wireless earbuds", "noise-cancelling headphones", "sports earbuds", "studio headphones"),
                 ("Sonora", "AudioPeak", "Wavely"), (25, 380),
                 ("active noise cancellation", "a 30-hour battery", "Bluetooth 5.3 multipoint pairing", "a sweat-resistant IPX5 rating", "USB-C fast charging", "a built-in microphone for calls", "a foldable design"),
                 ("commuting", "the gym", "long flights", "working from home", "late-night gaming"), ("soft memory-foam cushions", "a lightweight aluminium frame", "a recycled plastic shell")),
    CategorySpec("laptops", ("ultrabook", "gaming laptop", "2-in-1 laptop", "chromebook", "business laptop"),
                 ("Novabook", "Kestrel", "Lumen"), (249, 2300),
                 ("a 14-inch high-resolution display", "16 GB of memory", "a 1 TB solid-state drive", "all-day battery life", "a backlit keyboard", "a dedicated graphics card", "a fingerprint reader"),
                 ("students", "remote work", "video editing", "travel", "gaming"), ("an aluminium unibody", "a magnesium chassis", "a durable polycarbonate case")),
    CategorySpec("smartphones", ("smartphone", "compact phone", "camera phone", "budget phone"),
                 ("Orbit", "Pixelon", "Vanta"), (149, 1250),
                 ("a triple-lens camera", "a 120 Hz OLED screen", "5G connectivity", "wireless charging", "two days of battery", "water resistance to IP68", "256 GB of storage"),
                 ("photography", "everyday use", "travel", "mobile gaming"), ("a glass back", "a recycled aluminium frame", "a matte finish")),
    CategorySpec("cameras", ("action camera", "mirrorless camera", "instant camera", "webcam", "vlogging camera"),
                 ("Optiq", "Shutterly", "Lensa"), (39, 1900),
                 ("4K video at 60 fps", "image stabilisation", "a flip-out screen", "a waterproof housing", "fast autofocus", "a 24-megapixel sensor", "Wi-Fi photo transfer"),
                 ("travel", "vlogging", "family photos", "video calls", "underwater adventures"), ("a weather-sealed body", "a compact shell", "a textured grip")),
    CategorySpec("jackets", ("rain jacket", "down parka", "fleece jacket", "softshell jacket", "windbreaker"),
                 ("Northpeak", "Trailform", "Urbanly"), (39, 360),
                 ("a waterproof breathable membrane", "taped seams", "an adjustable hood", "zippered hand pockets", "packable into its own pocket", "800-fill down insulation", "reflective details"),
                 ("hiking", "city commuting", "winter walks", "skiing", "camping trips"), ("recycled nylon", "polyester ripstop", "soft brushed fleece")),
    CategorySpec("shoes", ("running shoes", "hiking boots", "sneakers", "sandals", "trail runners"),
                 ("Stride", "Fleetfoot", "Trailform"), (29, 230),
                 ("a cushioned foam midsole", "a grippy rubber outsole", "a waterproof lining", "a breathable mesh upper", "a wide toe box", "ankle support", "a removable insole"),
                 ("road running", "day hikes", "everyday wear", "the beach", "trail races"), ("knit mesh", "full-grain leather", "suede and canvas")),
    CategorySpec("clothing", ("t-shirt", "slim jeans", "summer dress", "wool sweater", "hoodie", "chino trousers"),
                 ("Loomwell", "Urbanly", "Mistral"), (15, 160),
                 ("a relaxed fit", "a stretch fabric", "machine washable care", "reinforced stitching", "a classic crew neck", "deep pockets", "a tailored cut"),
                 ("the office", "weekends", "date night", "lounging at home"), ("organic cotton", "merino wool", "linen blend", "stretch denim")),
    CategorySpec("furniture", ("office chair", "standing desk", "bookshelf", "sofa", "coffee table", "bed frame"),
                 ("Oakhaven", "Nordlund", "Tallis"), (59, 1450),
                 ("tool-free assembly", "adjustable height", "lumbar support", "a scratch-resistant surface", "hidden storage", "a weight capacity of 150 kg", "stain-resistant upholstery"),
                 ("home offices", "small apartments", "living rooms", "kids' rooms"), ("solid oak", "powder-coated steel", "walnut veneer", "bamboo")),
    CategorySpec("kitchen", ("coffee maker", "blender", "chef knife", "cast iron skillet", "air fryer", "stand mixer"),
                 ("Brewline", "Cuisora", "Ferro"), (19, 420),
                 ("a programmable timer", "dishwasher-safe parts", "a 1.5-litre capacity", "even heat distribution", "a razor-sharp edge", "five speed settings", "a non-stick coating"),
                 ("weekday dinners", "morning coffee", "baking", "meal prep"), ("stainless steel", "enamelled cast iron", "BPA-free plastic", "high-carbon steel")),
    CategorySpec("bedding", ("duvet", "pillow", "sheet set", "throw blanket", "mattress topper"),
                 ("Dreamloft", "Nordlund", "Serenne"), (19, 320),
                 ("hypoallergenic filling", "a 400 thread count", "a cooling weave", "corner ties", "an oversized fit", "OEKO-TEX certification", "deep pockets for thick mattresses"),
                 ("hot sleepers", "cold winters", "guest rooms", "allergy sufferers"), ("long-staple cotton", "washed linen", "bamboo lyocell", "memory foam")),
    CategorySpec("fitness", ("yoga mat", "adjustable dumbbells", "fitness tracker", "resistance bands", "exercise bike", "foam roller"),
                 ("Corefit", "Stride", "Pulsar"), (12, 900),
                 ("a non-slip surface", "heart-rate monitoring", "quick weight changes", "a compact footprint", "a companion app", "sleep tracking", "extra thick cushioning"),
                 ("home workouts", "yoga classes", "strength training", "recovery days"), ("natural rubber", "cast iron plates", "latex-free TPE")),
    CategorySpec("beauty", ("moisturizer", "electric toothbrush", "hair dryer", "sunscreen", "vitamin C serum", "beard trimmer"),
                 ("Glowen", "Purely", "Lustre"), (8, 190),
                 ("fragrance-free formula", "SPF 50 protection", "a two-minute smart timer", "ionic frizz control", "hyaluronic acid", "a rechargeable battery", "dermatologist testing"),
                 ("sensitive skin", "daily routines", "travel kits", "gifting"), ("a recyclable tube", "a glass bottle", "an ergonomic handle")),
    CategorySpec("toys", ("building blocks set", "board game", "remote control car", "jigsaw puzzle", "plush toy", "science kit"),
                 ("Playnest", "Brickly", "Wondery"), (9, 160),
                 ("over 500 pieces", "rechargeable batteries", "illustrated instructions", "2 to 6 players", "child-safe materials", "glow-in-the-dark parts", "a storage box"),
                 ("family game night", "kids aged 6 and up", "rainy afternoons", "birthday presents"), ("sustainably sourced wood", "ABS plastic", "soft polyester plush")),
    CategorySpec("outdoor", ("tent", "sleeping bag", "hiking backpack", "insulated water bottle", "headlamp", "camping stove"),
                 ("Northpeak", "Trailform", "Summitra"), (15, 520),
                 ("a 3-season rating", "a comfort rating of -5 °C", "a 40-litre capacity", "a rain cover", "24 hours of cold drinks", "300 lumens of light", "a one-minute pitch"),
                 ("backpacking", "festival camping", "day hikes", "family camping"), ("ripstop nylon", "double-wall stainless steel", "lightweight aluminium poles")),
)

MODEL_NAMES = ("Aura", "Vertex", "Nimbus", "Pulse", "Terra", "Echo", "Zephyr", "Atlas", "Flux", "Nova",
               "Halo", "Drift", "Summit", "Prism", "Ember", "Glide", "Orion", "Sierra", "Lumo", "Crest")
COLORS = ("black", "white", "navy", "forest green", "grey", "sand", "burgundy", "sky blue")
FIRST = ("Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Priya", "Lucas", "Amara", "Leo", "Sofia", "Omar",
         "Chloe", "Mateo", "Hana", "Isaac", "Nora", "Felix", "Yara", "Jonas", "Elena", "Kofi", "Mila", "Ravi")
LAST = ("Smith", "Garcia", "Chen", "Okafor", "Müller", "Rossi", "Kowalski", "Tanaka", "Silva", "Dubois",
        "Nguyen", "Patel", "Johansson", "Haddad", "Novak", "Brennan", "Costa", "Ivanova", "Mensah", "Larsen")
CITIES = ("Austin", "Leeds", "Lyon", "Porto", "Toronto", "Melbourne", "Berlin", "Dublin", "Denver", "Oslo")

# Persona -> share of customers. Behaviour differs by persona; the persona itself is not written out.
PERSONAS = {"loyal": 0.22, "regular": 0.2, "lapsing": 0.22, "one_off": 0.2, "new": 0.16}


def _product(rng: random.Random, spec: CategorySpec, number: int) -> Product:
    kind = rng.choice(spec.kinds)
    brand = rng.choice(spec.brands)
    model = f"{rng.choice(MODEL_NAMES)} {rng.randint(1, 9)}{rng.choice(('00', '10', '50', ''))}".strip()
    features = rng.sample(spec.features, 3)
    use, other_use = rng.sample(spec.uses, 2)
    material = rng.choice(spec.materials)
    color = rng.choice(COLORS)
    low, high = spec.price
    price = round(low * (high / low) ** (rng.random() ** 1.3), 0) - 0.01  # skewed towards cheap
    title = f"{brand} {model} " + " ".join(w[:1].upper() + w[1:] for w in kind.split())
    plural = kind.endswith("s") and not kind.endswith("ss")
    article = "a pair of" if plural else "an" if kind[0] in "aeiou" else "a"
    description = (
        f"The {brand} {model} is {article} {kind} built for {use} and {other_use}. "
        f"It comes with {features[0]}, {features[1]} and {features[2]}. "
        f"Made from {material} in {color}, it is designed to last through daily use "
        f"and backed by our two-year warranty. "
        f"{rng.choice(['Reviewers praise its comfort and value.', 'A favourite with customers who want quality without fuss.', 'Easy to care for and simple to set up.', 'Our team picked it for its reliability.'])}"
    )
    tags = [spec.name, kind, color, use] + [f.split(" ", 1)[-1] for f in features[:2]]
    return Product(
        id=f"P{number:04d}",
        title=title,
        description=description,
        category=spec.name,
        brand=brand,
        price=price,
        rating=round(min(5.0, max(2.5, rng.gauss(4.2, 0.45))), 1),
        stock=0 if rng.random() < 0.07 else rng.randint(1, 240),
        tags=tuple(dict.fromkeys(tags)),
    )


def make_catalog(rng: random.Random, per_category: int = 25) -> list[Product]:
    products: list[Product] = []
    for spec in CATEGORIES:
        for _ in range(per_category):
            products.append(_product(rng, spec, len(products) + 1))
    return products


def _order_dates(rng: random.Random, persona: str) -> list[date]:
    span = (TODAY - START).days

    def walk(first: int, last: int, mean_gap: float) -> list[date]:
        days, day = [], first
        while day < last:
            days.append(START + timedelta(days=day))
            day += max(3, int(rng.expovariate(1 / mean_gap)))
        return days

    if persona == "loyal":
        return walk(rng.randint(0, 90), span, rng.uniform(18, 35))
    if persona == "regular":
        return walk(rng.randint(0, 300), span, rng.uniform(55, 90))
    if persona == "lapsing":
        return walk(rng.randint(0, 150), span - rng.randint(120, 320), rng.uniform(25, 50))
    if persona == "one_off":
        return [START + timedelta(days=rng.randint(0, span - 90))]
    return walk(span - rng.randint(10, 60), span, 25)[:2]  # new


def make_customers_and_orders(rng: random.Random, catalog: list[Product], n: int = 240):
    by_category: dict[str, list[Product]] = {}
    for p in catalog:
        by_category.setdefault(p.category, []).append(p)
    categories = sorted(by_category)
    customers, orders = [], []
    order_number = 0
    personas = rng.choices(list(PERSONAS), weights=list(PERSONAS.values()), k=n)
    for i, persona in enumerate(personas, start=1):
        cid = f"C{i:04d}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        dates = _order_dates(rng, persona) or [TODAY - timedelta(days=5)]
        favourites = rng.sample(categories, rng.randint(1, 3))
        budget = rng.choice((0.35, 0.6, 1.0))  # share of the price range this customer shops in
        signup = dates[0] - timedelta(days=rng.randint(0, 40))
        customers.append({"customer_id": cid, "name": f"{first} {last}",
                          "email": f"{first.lower()}.{last.lower()}{i}@example.com",
                          "city": rng.choice(CITIES), "signup_date": max(signup, START - timedelta(days=200)).isoformat()})
        favourite_brand = rng.choice(by_category[favourites[0]]).brand
        for day in dates:
            order_number += 1
            in_basket: set[str] = set()
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                category = rng.choice(favourites) if rng.random() < 0.8 else rng.choice(categories)
                pool = sorted(by_category[category], key=lambda p: p.price or 0)
                pool = pool[: max(3, int(len(pool) * budget))]
                branded = [p for p in pool if p.brand == favourite_brand]
                product = rng.choice(branded if branded and rng.random() < 0.5 else pool)
                if product.id in in_basket:  # one line per product and order, as a real cart
                    continue
                in_basket.add(product.id)
                age = (TODAY - day).days
                status = ("processing" if age <= 3 else "shipped" if age <= 10
                          else rng.choices(("delivered", "returned", "cancelled"), (0.92, 0.06, 0.02))[0])
                orders.append({"order_id": f"O{order_number:05d}", "customer_id": cid, "date": day.isoformat(),
                               "product_id": product.id, "quantity": rng.choice((1, 1, 1, 2)),
                               "unit_price": f"{product.price:.2f}", "status": status})
    return customers, orders


POLICIES = {
    "shipping": """# Shipping
- Standard shipping takes 3-5 business days and is free on orders over $50; below that it costs $4.99.
- Express shipping takes 1-2 business days and costs $12.99.
- Orders placed before 2 pm ship the same business day. You get a tracking link by email as soon as the parcel leaves our warehouse.
- We ship to the US, Canada, the UK and the EU. International delivery takes 7-12 business days.
- You can change the delivery address while the order is still "processing"; once it is "shipped" the carrier cannot reroute it.
""",
    "returns": """# Returns
- Return any unused item within 30 days of delivery for a refund or an exchange. Loyal members get 60 days.
- Start a return from your order page; we email a prepaid return label. Returns are free for defective or wrong items and cost $5.95 otherwise.
- Items must be in their original packaging. Opened beauty products and underwear cannot be returned for hygiene reasons.
- Exchanges for another size or colour ship as soon as we scan the returned parcel.
""",
    "refunds": """# Refunds
- Refunds go back to the original payment method within 5-7 business days after the returned item reaches our warehouse.
- Cancelled orders that have not shipped are refunded in full within 2 business days.
- If an item arrives damaged, send a photo within 14 days and we refund or replace it without a return.
- Store credit refunds are instant and add 5 % bonus credit.
""",
    "payment_methods": """# Payment methods
- We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Google Pay, plus gift cards and store credit.
- Pay in 4 interest-free instalments on orders between $50 and $1,000.
- Your card is charged when the order ships, not when you place it.
- If a payment is declined, check the billing address and card expiry, or try another method; we never store full card numbers.
""",
    "account": """# Your account
- Create an account with your email address to track orders, save addresses and earn loyalty points (1 point per dollar).
- Reset a forgotten password from the sign-in page; the link in the email is valid for 30 minutes.
- You can edit your name, address and newsletter settings on the account page, or delete your account and data at any time.
""",
    "retention_offers": """# Retention and loyalty gestures (store rules for the assistant)
- A customer at high risk of leaving may be offered ONE of: a 10 % welcome-back code (WELCOME10) on the next order, or free express shipping on the next order.
- New customers get onboarding help: how tracking works, the 30-day return window, and popular picks in categories they browsed.
- VIP (loyal) customers get early access to new arrivals and 60-day returns.
- Never offer more than 15 % off, never promise price matches, and never invent other codes.
""",
}


def write_demo(out: Path = DEMO_DIR, seed: int = SEED) -> dict[str, int]:
    """Write catalog.jsonl, customers.csv, orders.csv and policies/; return row counts."""
    rng = random.Random(seed)
    catalog = make_catalog(rng)
    customers, orders = make_customers_and_orders(rng, catalog)
    (out / "policies").mkdir(parents=True, exist_ok=True)
    with (out / "catalog.jsonl").open("w", encoding="utf-8") as f:
        for product in catalog:
            f.write(json.dumps(asdict(product), ensure_ascii=False) + "\n")
    for name, rows in (("customers.csv", customers), ("orders.csv", orders)):
        with (out / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    for name, text in POLICIES.items():
        (out / "policies" / f"{name}.md").write_text(text, encoding="utf-8")
    return {"products": len(catalog), "customers": len(customers), "order_lines": len(orders)}


if __name__ == "__main__":
    print(write_demo())
