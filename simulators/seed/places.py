"""Where the demo co-op's members live: towns, substations, feeders, names, addresses."""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulators.world import Address


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    zip_code: str
    latitude: float
    longitude: float
    substation: str
    feeders: tuple[str, ...]
    weather_station: str
    weight: int  # share of the co-op's services


TOWNS: tuple[Town, ...] = (
    Town(
        "Moriarty", "87035", 34.990, -106.049, "Moriarty", ("MOR-1", "MOR-2", "MOR-3"), "KMRT", 24
    ),
    Town(
        "Edgewood", "87015", 35.061, -106.191, "Edgewood", ("EDG-1", "EDG-2", "EDG-3"), "KEDG", 22
    ),
    Town("Estancia", "87016", 34.758, -106.056, "Estancia", ("EST-1", "EST-2"), "KEST", 14),
    Town("McIntosh", "87032", 34.866, -106.047, "Estancia", ("EST-3",), "KEST", 6),
    Town("Stanley", "87056", 35.148, -106.016, "Edgewood", ("EDG-4",), "KEDG", 7),
    Town("Mountainair", "87036", 34.520, -106.243, "Mountainair", ("MTN-1", "MTN-2"), "KMNA", 10),
    Town("Willard", "87063", 34.595, -106.030, "Mountainair", ("MTN-3",), "KMNA", 5),
    Town("Los Lunas", "87031", 34.806, -106.733, "Meadow Lake", ("MDL-1", "MDL-2"), "KLLN", 12),
)

FIRST_NAMES = (
    "Maria",
    "Jose",
    "Juan",
    "Ana",
    "Carlos",
    "Rosa",
    "Luis",
    "Elena",
    "Miguel",
    "Teresa",
    "James",
    "Mary",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Barbara",
    "William",
    "Susan",
    "Richard",
    "Karen",
    "Daniel",
    "Nancy",
    "Thomas",
    "Lisa",
    "Joseph",
    "Betty",
    "Gabriel",
    "Lorraine",
    "Ernest",
    "Dolores",
    "Ramon",
    "Yolanda",
    "Arturo",
    "Cecilia",
    "Kevin",
    "Angela",
    "Brian",
    "Monica",
    "Steven",
    "Veronica",
    "Eric",
    "Diana",
    "Adrian",
)
MIDDLE_INITIALS = ("A", "B", "C", "D", "E", "F", "G", "J", "L", "M", "R", "S", "T")
LAST_NAMES = (
    "Garcia",
    "Martinez",
    "Chavez",
    "Baca",
    "Sanchez",
    "Lucero",
    "Gallegos",
    "Romero",
    "Montoya",
    "Trujillo",
    "Sandoval",
    "Aragon",
    "Archuleta",
    "Tafoya",
    "Padilla",
    "Otero",
    "Apodaca",
    "Candelaria",
    "Ortiz",
    "Vigil",
    "Salazar",
    "Maestas",
    "Jaramillo",
    "Armijo",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Hill",
    "Scott",
    "Green",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
)
STREETS = (
    "Camino del Sol",
    "Old Route 66",
    "NM-41",
    "NM-344",
    "Rabbit Run Rd",
    "Piñon Trail",
    "Juniper Ln",
    "Mesa Verde Dr",
    "Sandia View Rd",
    "Salt Mission Trail",
    "Ranch Rd",
    "Windmill Rd",
    "Antelope Way",
    "Cedar Grove Rd",
    "Lobo Ln",
    "Bosque Loop",
    "Tejano Canyon Rd",
    "Church St",
    "Main St",
    "Broadway",
    "5th St",
    "Estancia Ave",
    "Frost Rd",
    "Dinkle Rd",
    "Venus Rd",
    "Martinez Rd",
    "Vista del Valle",
    "Horizon Blvd",
)
BUSINESS_KINDS = (
    "Feed & Supply",
    "Cafe",
    "Hardware",
    "Auto Repair",
    "Dairy",
    "Veterinary Clinic",
    "Market",
    "Propane",
    "Motel",
    "Welding",
    "Hay Farm",
    "Community Church",
    "Fire Station",
    "Storage",
    "Bakery",
    "Tire Shop",
    "Family Dentistry",
    "Pinto Bean Co-op",
)


def weighted_town(rng: random.Random) -> Town:
    return rng.choices(TOWNS, weights=[town.weight for town in TOWNS])[0]


def street_address(rng: random.Random, town: Town) -> Address:
    number = rng.randint(1, 2999)
    return Address(
        line1=f"{number} {rng.choice(STREETS)}", city=town.name, state="NM", zip_code=town.zip_code
    )


def phone_number(rng: random.Random) -> str:
    # 505 is central New Mexico's area code; 555-01xx would be unrealistic for billing.
    return f"505{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
