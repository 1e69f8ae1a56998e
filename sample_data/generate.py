#!/usr/bin/env python3
"""Generate a coherent demo Amazon FBA seller account as Amazon report files.

Why
---
The app ingests the flat files a seller downloads from Seller Central / SP-API.
Real files cannot be shipped with an open-source project, so this script builds
a synthetic but *internally consistent* account: one day-by-day stock
simulation drives every report, so numbers agree across files the same way
they do in a real account:

* ledger opening balance + ledger events up to a date == on-hand units in the
  planning snapshot of that date (available + reserved + unfulfillable);
* ledger ``Shipments`` units per SKU and day == shipped units in All Orders
  (Cancelled and Pending lines excluded);
* ledger ``CustomerReturns`` == rows of the customer returns report, and every
  return points at an earlier shipped order line of the same SKU;
* inventory age buckets come from FIFO over the simulated receipts, so the
  coarse buckets and the fine buckets are splits of the same units;
* storage fees are the monthly average of the simulated per-FC on-hand units.

The account is meant to look reasonably run but imperfect: SKUs reorder up to lead time +
45-75 days of demand (case packs and MOQs scaled to each SKU's sales rate), so most hold
30-120 days of supply; ~6% of SKUs carry one bulk buy (~150-300 days of supply), dead-stock
SKUs hold a few dozen 366+ day-old units, stock-out SKUs run dry for 2-4 weeks once, and most
items are small (median ~0.08-0.1 cu ft), so storage costs ~1% of inventory value a month
off-peak and a few percent in Q4.

Formats (headers, column order, encodings, value formats) follow
``/work/shared/amazon_reports.md`` (see the constants below).

What
----
``python sample_data/generate.py [--out DIR] [--seed N] [--skus N]
[--as-of YYYY-MM-DD] [--days N] [--verify]`` writes into DIR:

* ``fba_inventory_planning_<date>.txt`` x6  GET_FBA_INVENTORY_PLANNING_DATA (utf-8-sig)
* ``fba_myi_unsuppressed_inventory.txt``     GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA (cp1252)
* ``restock_inventory_recommendations.txt``  GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT (cp1252)
* ``all_orders.txt.gz``                      GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL (utf-8-sig, gzip)
* ``ledger_detail.txt.gz``                   GET_LEDGER_DETAIL_VIEW_DATA (utf-8-sig, gzip)
* ``storage_fees.txt``                       GET_FBA_STORAGE_FEE_CHARGES_DATA (utf-8)
* ``customer_returns.txt``                   GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA (utf-8)
* ``fee_preview.txt``                        GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA (cp1252)
* ``product_costs.csv`` / ``.xlsx``          the seller's own cost sheet
* ``product_costs_template.csv``             downloadable template
* ``manifest.json``                          as-of, seed, file -> reportType, SKU -> profile

Everything is derived from one seeded ``numpy.random.Generator``; no wall-clock
time is used, gzip headers carry mtime 0 and the XLSX zip is normalised, so the
same arguments give byte-identical files.

Day convention: simulation day ``d`` is a UTC calendar date (``window_start + d``).
Orders are placed and shipped on the same day (ledger ``Shipments`` share the
order's purchase date); a planning snapshot of date ``t`` is the state at the
end of day ``t``.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------
# Report headers, copied from amazon_reports.md (order matters).
# --------------------------------------------------------------------------------------
PLANNING_HEADER = [
    "snapshot-date", "sku", "fnsku", "asin", "product-name", "condition", "available",
    "pending-removal-quantity", "inv-age-0-to-90-days", "inv-age-91-to-180-days",
    "inv-age-181-to-270-days", "inv-age-271-to-365-days", "inv-age-366-to-455-days",
    "inv-age-456-plus-days", "currency", "units-shipped-t7", "units-shipped-t30",
    "units-shipped-t60", "units-shipped-t90", "alert", "your-price", "sales-price",
    "lowest-price-new-plus-shipping", "lowest-price-used", "recommended-action",
    "DEPRECATED healthy-inventory-level", "recommended-sales-price",
    "recommended-sale-duration-days", "recommended-removal-quantity",
    "estimated-cost-savings-of-recommended-actions", "sell-through", "item-volume",
    "volume-unit-measurement", "storage-type", "storage-volume", "marketplace",
    "product-group", "sales-rank", "days-of-supply", "estimated-excess-quantity",
    "weeks-of-cover-t30", "weeks-of-cover-t90", "featuredoffer-price",
    "sales-shipped-last-7-days", "sales-shipped-last-30-days", "sales-shipped-last-60-days",
    "sales-shipped-last-90-days", "inv-age-0-to-30-days", "inv-age-31-to-60-days",
    "inv-age-61-to-90-days", "inv-age-181-to-330-days", "inv-age-331-to-365-days",
    "estimated-storage-cost-next-month", "inbound-quantity", "inbound-working",
    "inbound-shipped", "inbound-received", "no-sale-last-6-months", "Total Reserved Quantity",
    "unfulfillable-quantity",
    "quantity-to-be-charged-ais-181-210-days", "estimated-ais-181-210-days",
    "quantity-to-be-charged-ais-211-240-days", "estimated-ais-211-240-days",
    "quantity-to-be-charged-ais-241-270-days", "estimated-ais-241-270-days",
    "quantity-to-be-charged-ais-271-300-days", "estimated-ais-271-300-days",
    "quantity-to-be-charged-ais-301-330-days", "estimated-ais-301-330-days",
    "quantity-to-be-charged-ais-331-365-days", "estimated-ais-331-365-days",
    "quantity-to-be-charged-ais-366-455-days", "estimated-ais-366-455-days",
    "quantity-to-be-charged-ais-456-plus-days", "estimated-ais-456-plus-days",
    "historical-days-of-supply", "fba-minimum-inventory-level",
    "fba-inventory-level-health-status", "Recommended ship-in quantity",
    "Recommended ship-in date", "Last updated date for Historical Days of Supply",
    "Exempted from Low-Inventory-Level fee?", "Low-Inventory-Level fee applied in current week?",
    "Short term historical days of supply", "Long term historical days of supply",
    "Inventory age snapshot date", "Inventory Supply at FBA", "Reserved FC Transfer",
    "Reserved FC Processing", "Reserved Customer Order",
    "Total Days of Supply (including units from open shipments)", "supplier",
    "is-seasonal-in-next-3-months", "season-name", "season-start-date", "season-end-date",
]
MYI_HEADER = (
    "sku\tfnsku\tasin\tproduct-name\tcondition\tyour-price\tmfn-listing-exists\t"
    "mfn-fulfillable-quantity\tafn-listing-exists\tafn-warehouse-quantity\t"
    "afn-fulfillable-quantity\tafn-unsellable-quantity\tafn-reserved-quantity\t"
    "afn-total-quantity\tper-unit-volume\tafn-inbound-working-quantity\t"
    "afn-inbound-shipped-quantity\tafn-inbound-receiving-quantity\tafn-researching-quantity\t"
    "afn-reserved-future-supply\tafn-future-supply-buyable\tstore"
).split("\t")
RESTOCK_HEADER = (
    "Country\tProduct Name\tFNSKU\tMerchant SKU\tASIN\tCondition\tSupplier\tSupplier part no.\t"
    "Currency code\tPrice\tSales last 30 days\tUnits Sold Last 30 Days\tTotal Units\tInbound\t"
    "Available\tFC transfer\tFC Processing\tCustomer Order\tUnfulfillable\tWorking\tShipped\t"
    "Receiving\tFulfilled by\tTotal Days of Supply (including units from open shipments)\t"
    "Days of Supply at Amazon Fulfillment Network\tAlert\tRecommended replenishment qty\t"
    "Recommended ship date\tRecommended action\tUnit storage size"
).split("\t")
ORDERS_HEADER = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
    "order-item-id\tfulfillment-channel\tsales-channel\torder-channel\tship-service-level\t"
    "product-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-tax\t"
    "shipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\titem-promotion-discount\t"
    "ship-promotion-discount\tship-city\tship-state\tship-postal-code\tship-country\t"
    "promotion-ids\tcpf\tis-business-order\tpurchase-order-number\tprice-designation\t"
    "signature-confirmation-recommended"
).split("\t")
LEDGER_HEADER = (
    "Date\tFNSKU\tASIN\tMSKU\tTitle\tEvent Type\tReference ID\tQuantity\tFulfillment Center\t"
    "Disposition\tReason\tCountry\tReconciled Quantity\tUnreconciled Quantity\tDate and Time\tStore"
).split("\t")
STORAGE_HEADER = (
    "asin\tfnsku\tproduct_name\tfulfillment_center\tcountry_code\tlongest_side\tmedian_side\t"
    "shortest_side\tmeasurement_units\tweight\tweight_units\titem_volume\tvolume_units\t"
    "product_size_tier\taverage_quantity_on_hand\taverage_quantity_pending_removal\t"
    "estimated_total_item_volume\tmonth_of_charge\tstorage_rate\tcurrency\t"
    "estimated_monthly_storage_fee\tdangerous_goods_storage_type\teligible_for_inventory_discount\t"
    "qualifies_for_inventory_discount\ttotal_incentive_fee_amount\tbreakdown_incentive_fee_amount\t"
    "average_quantity_customer_orders"
).split("\t") + ["storage_utilization_ratio", "storage_utilization_ratio_units", "base_rate",
                 "utilization_surcharge_rate"]
RETURNS_HEADER = (
    "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
    "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments"
).split("\t")
FEE_HEADER = (
    "sku\tfnsku\tasin\tamazon-store\tproduct-name\tproduct-group\tbrand\tfulfilled-by\tyour-price\t"
    "sales-price\tlongest-side\tmedian-side\tshortest-side\tlength-and-girth\tunit-of-dimension\t"
    "item-package-weight\tunit-of-weight\tproduct-size-tier\tcurrency\testimated-fee-total\t"
    "estimated-referral-fee-per-unit\testimated-variable-closing-fee\t"
    "estimated-order-handling-fee-per-order\testimated-pick-pack-fee-per-unit\t"
    "estimated-weight-handling-fee-per-unit\texpected-fulfillment-fee-per-unit\t"
    "estimated-future-fee (Current Selling on Amazon + Future Fulfillment fees)\t"
    "estimated-future-order-handling-fee-per-order\testimated-future-pick-pack-fee-per-unit\t"
    "estimated-future-weight-handling-fee-per-unit\texpected-future-fulfillment-fee-per-unit"
).split("\t")
COSTS_HEADER = ["sku", "unit_cost", "currency", "supplier", "production_lead_time_days",
                "transit_lead_time_days", "moq", "case_pack"]

REPORT_TYPES = {
    "planning": "GET_FBA_INVENTORY_PLANNING_DATA",
    "myi": "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "restock": "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT",
    "orders": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    "ledger": "GET_LEDGER_DETAIL_VIEW_DATA",
    "storage": "GET_FBA_STORAGE_FEE_CHARGES_DATA",
    "returns": "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    "fees": "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    "costs": "PRODUCT_COSTS",
}
F_MYI = "fba_myi_unsuppressed_inventory.txt"
F_RESTOCK = "restock_inventory_recommendations.txt"
F_ORDERS = "all_orders.txt.gz"
F_LEDGER = "ledger_detail.txt.gz"
F_STORAGE = "storage_fees.txt"
F_RETURNS = "customer_returns.txt"
F_FEES = "fee_preview.txt"
F_COSTS_CSV = "product_costs.csv"
F_COSTS_XLSX = "product_costs.xlsx"
F_TEMPLATE = "product_costs_template.csv"

# --------------------------------------------------------------------------------------
# Fee schedule (amazon_reports.md §10)
# --------------------------------------------------------------------------------------
STORAGE_RATE_OFFPEAK, STORAGE_RATE_PEAK = 0.78, 2.40          # $/cu ft/month, standard size
# §10.2 [INFERRED] total rate by utilisation ratio (weeks) -> surcharge = total - base
UTIL_BANDS = [(22, 0.0), (28, 0.44), (36, 0.76), (44, 1.16), (52, 1.58), (1e9, 1.88)]
# §10.3 aged inventory surcharge bands: (lo, hi, $/cu ft, $/unit floor)
AIS_BANDS = [(181, 210, 0.50, 0.0), (211, 240, 1.00, 0.0), (241, 270, 1.50, 0.0),
             (271, 300, 3.80, 0.0), (301, 330, 4.00, 0.0), (331, 365, 4.20, 0.0),
             (366, 455, 6.90, 0.30), (456, 10**6, 7.90, 0.35)]

PRIME_DAYS = ["2024-07-16", "2024-07-17", "2025-07-08", "2025-07-09", "2025-07-10", "2025-07-11",
              "2026-07-08", "2026-07-09", "2026-07-10", "2026-07-11"]
BFCM_DAYS = ["2024-11-29", "2024-11-30", "2024-12-01", "2024-12-02",
             "2025-11-28", "2025-11-29", "2025-11-30", "2025-12-01",
             "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"]

FC_CODES = ["PHL7", "ONT8", "MDW2", "BFI4", "SBD1", "LGB8", "TEB9", "CLT2", "DFW7", "ATL6",
            "MKE1", "JAX3", "IND9", "SMF3", "RDU1", "AVP1", "FTW1", "GYR3", "SCK4", "MEM1"]

# Dispositions of units that are not sellable (index into the `unsell` state)
UNSELL_DISP = ["CUSTOMER_DAMAGED", "DEFECTIVE", "WAREHOUSE_DAMAGED"]

# Ledger event codes (compact ints during simulation, strings at write time)
EV_RECEIPT, EV_SHIP, EV_RETURN, EV_ADJ, EV_XFER = range(5)
EV_NAMES = np.array(["Receipts", "Shipments", "CustomerReturns", "Adjustments", "WhseTransfers"])
DISP_NAMES = np.array(["SELLABLE", "CUSTOMER_DAMAGED", "DEFECTIVE", "WAREHOUSE_DAMAGED"])
REASON_NAMES = np.array(["", "M", "E", "F", "D"])  # lost, damaged at FC, found, disposed

PROFILE_SHARES = [  # (profile, share of SKUs); "steady" takes the remainder
    ("stockout", 0.08), ("dead_stock", 0.06), ("intermittent", 0.15),
    ("q4_seasonal", 0.12), ("prime_day_spike", 0.15)]

# --------------------------------------------------------------------------------------
# Catalogue: (sku prefix, product group, brand, [(base name, price lo, price hi, vol lo, vol hi)])
# Volumes in cubic feet. A few names carry a comma, a double quote, an apostrophe or a
# cp1252 accented letter on purpose (parsers must cope with them).
# --------------------------------------------------------------------------------------
CATALOG = [
    ("HK-KIT", "gl_kitchen", "Hearthwell", [
        ('12" Cast Iron Skillet, Pre-Seasoned', 28, 42, 0.20, 0.30),
        ("Crème Brûlée Torch with Fuel Gauge", 18, 30, 0.03, 0.06),
        ("Chef's Knife 8 Inch", 25, 60, 0.03, 0.06),
        ("Café Style Milk Frother", 14, 24, 0.02, 0.05),
        ("Silicone Spatula Set, 5 Pieces", 12, 20, 0.04, 0.08),
        ("Bamboo Cutting Board", 18, 35, 0.10, 0.20),
        ("Stainless Steel Mixing Bowls", 24, 45, 0.40, 0.70),
        ("Glass Food Storage Containers", 30, 55, 0.45, 0.80),
        ("Pour Over Coffee Kettle", 26, 45, 0.12, 0.22),
        ("Herb Keeper", 15, 25, 0.06, 0.12),
        ("Garlic Press", 10, 18, 0.02, 0.04),
        ("Measuring Cups and Spoons Set", 12, 22, 0.05, 0.09)]),
    ("HK-GRD", "gl_lawn_and_garden", "Hearthwell", [
        ("Expandable Garden Hose 50 ft", 25, 45, 0.20, 0.35),
        ("Bypass Pruning Shears", 14, 28, 0.03, 0.06),
        ("Solar Pathway Lights, 8 Pack", 28, 48, 0.30, 0.55),
        ("Hanging Bird Feeder", 18, 32, 0.15, 0.30),
        ("Seed Starter Tray Kit", 16, 28, 0.25, 0.45),
        ("Garden Kneeler and Seat", 35, 60, 0.90, 1.30),
        ("Plant Labels, 100 Count", 8, 14, 0.02, 0.04),
        ("Watering Can 1 Gallon", 16, 26, 0.25, 0.40)]),
    ("PT-DOG", "gl_pet_products", "PawPeak", [
        ("No-Pull Dog Harness", 18, 32, 0.04, 0.08),
        ("Slow Feeder Dog Bowl", 12, 22, 0.08, 0.15),
        ("Dog Poop Bags, 360 Count", 9, 15, 0.05, 0.09),
        ("Squeaky Rope Toy", 8, 14, 0.03, 0.06),
        ("Orthopedic Dog Bed", 45, 80, 0.90, 1.40),
        ("Dog Grooming Brush", 12, 20, 0.03, 0.05),
        ("Retractable Leash 16 ft", 16, 28, 0.06, 0.10),
        ("Collapsible Travel Bowl", 8, 14, 0.02, 0.04)]),
    ("PT-CAT", "gl_pet_products", "PawPeak", [
        ("Interactive Feather Wand", 8, 14, 0.03, 0.06),
        ("Cat Scratching Post", 30, 55, 0.70, 1.20),
        ("Self-Grooming Corner Brush", 8, 13, 0.02, 0.04),
        ("Cat Litter Mat", 18, 30, 0.15, 0.30),
        ("Catnip Mice Toys, 6 Pack", 8, 12, 0.02, 0.04),
        ("Cat Fountain Filters", 10, 18, 0.03, 0.06),
        ("Window Cat Perch", 28, 45, 0.35, 0.60)]),
    ("SP-FIT", "gl_sports", "TrailNorth", [
        ("Resistance Bands Set", 15, 30, 0.04, 0.08),
        ("Yoga Mat 6mm", 22, 40, 0.25, 0.45),
        ("Adjustable Jump Rope", 9, 16, 0.02, 0.04),
        ("Foam Roller 18 Inch", 18, 30, 0.40, 0.60),
        ("Ab Roller Wheel", 14, 25, 0.12, 0.20),
        ("Gym Towels, 3 Pack", 12, 20, 0.05, 0.09),
        ("Balance Pad", 24, 40, 0.30, 0.50)]),
    ("SP-OUT", "gl_sports", "TrailNorth", [
        ("Rechargeable Camping Lantern", 22, 38, 0.08, 0.15),
        ("Insulated Water Bottle 32 oz", 20, 35, 0.08, 0.12),
        ("Hammock Tree Straps", 14, 24, 0.04, 0.08),
        ("Trekking Poles, Pair", 30, 60, 0.15, 0.30),
        ("Microfiber Travel Towel", 12, 22, 0.03, 0.06),
        ("Dry Bag 20L", 15, 26, 0.05, 0.09),
        ("Emergency Blankets, 4 Pack", 8, 14, 0.02, 0.03)]),
    ("TY-PZL", "gl_toy", "BrightBlock", [
        ("1000 Piece Jigsaw Puzzle, Mountain Lake", 15, 25, 0.08, 0.12),
        ("Wooden Brain Teaser Set", 14, 24, 0.04, 0.08),
        ("Puzzle Roll-Up Mat", 18, 30, 0.10, 0.18),
        ("3D Crystal Puzzle", 12, 20, 0.04, 0.08),
        ("Kids' Floor Puzzle 48 Pieces", 14, 22, 0.10, 0.16)]),
    ("TY-KID", "gl_toy", "BrightBlock", [
        ("Magnetic Building Tiles 60 Pcs", 35, 65, 0.25, 0.45),
        ("Bubble Machine", 18, 30, 0.12, 0.22),
        ("Kids' Art Easel", 45, 79, 0.90, 1.45),
        ("Wooden Train Set", 30, 55, 0.30, 0.55),
        ("Play Kitchen Food Set", 20, 35, 0.20, 0.35),
        ("Stomp Rocket Launcher", 16, 28, 0.15, 0.25),
        ("Glow Sticks, 100 Pack", 10, 18, 0.04, 0.07),
        ("Sand Toys Set", 14, 24, 0.20, 0.35)]),
]
VARIANTS = ["Black", "Gray", "Navy", "Sage Green", "Red", "Blue", "Small", "Large",
            "2 Pack", "3 Pack", "Value Pack", "White", "Pink", "Teal", "Orange", "Purple"]
SUPPLIERS = {  # per SKU prefix
    "HK-KIT": "Ningbo Everbright Housewares Co., Ltd.",
    "HK-GRD": "Ningbo Everbright Housewares Co., Ltd.",
    "PT-DOG": "Shenzhen PetJoy Products Ltd.",
    "PT-CAT": "Shenzhen PetJoy Products Ltd.",
    "SP-FIT": "Xiamen Apex Sporting Goods Co.",
    "SP-OUT": "Vietnam Pacific Outdoor Manufacturing JSC",
    "TY-PZL": "Dongguan HappyBrick Toys Factory",
    "TY-KID": "Dongguan HappyBrick Toys Factory",
}
# (city, state, postal code, sales-tax rate) for ship-to addresses
SHIP_TO = [
    ("NEW YORK", "NY", "10001", 0.08875), ("BROOKLYN", "NY", "11215", 0.08875),
    ("LOS ANGELES", "CA", "90012", 0.095), ("SAN DIEGO", "CA", "92101", 0.0775),
    ("SAN JOSE", "CA", "95112", 0.09375), ("SACRAMENTO", "CA", "95814", 0.0875),
    ("CHICAGO", "IL", "60614", 0.1025), ("HOUSTON", "TX", "77002", 0.0825),
    ("DALLAS", "TX", "75201", 0.0825), ("AUSTIN", "TX", "78701", 0.0825),
    ("SAN ANTONIO", "TX", "78205", 0.0825), ("PHOENIX", "AZ", "85004", 0.086),
    ("PHILADELPHIA", "PA", "19103", 0.08), ("PITTSBURGH", "PA", "15222", 0.07),
    ("JACKSONVILLE", "FL", "32202", 0.075), ("MIAMI", "FL", "33130", 0.07),
    ("TAMPA", "FL", "33602", 0.075), ("ORLANDO", "FL", "32801", 0.065),
    ("COLUMBUS", "OH", "43215", 0.0775), ("CLEVELAND", "OH", "44113", 0.08),
    ("CHARLOTTE", "NC", "28202", 0.0725), ("RALEIGH", "NC", "27601", 0.0725),
    ("INDIANAPOLIS", "IN", "46204", 0.07), ("SEATTLE", "WA", "98101", 0.1035),
    ("DENVER", "CO", "80202", 0.0881), ("BOSTON", "MA", "02116", 0.0625),
    ("NASHVILLE", "TN", "37203", 0.0925), ("DETROIT", "MI", "48226", 0.06),
    ("PORTLAND", "OR", "97205", 0.0), ("LAS VEGAS", "NV", "89101", 0.08375),
    ("ATLANTA", "GA", "30303", 0.089), ("MINNEAPOLIS", "MN", "55401", 0.08025),
    ("KANSAS CITY", "MO", "64106", 0.08975), ("ST LOUIS", "MO", "63101", 0.09679),
    ("BALTIMORE", "MD", "21202", 0.06), ("MILWAUKEE", "WI", "53202", 0.056),
    ("ALBUQUERQUE", "NM", "87102", 0.07875), ("TUCSON", "AZ", "85701", 0.087),
    ("SALT LAKE CITY", "UT", "84101", 0.0775), ("RICHMOND", "VA", "23219", 0.06),
    ("NEWARK", "NJ", "07102", 0.06625), ("HONOLULU", "HI", "96813", 0.045),
    ("ANCHORAGE", "AK", "99501", 0.0), ("BOISE", "ID", "83702", 0.06),
    ("OMAHA", "NE", "68102", 0.07), ("LOUISVILLE", "KY", "40202", 0.06),
    ("BIRMINGHAM", "AL", "35203", 0.1), ("NEW ORLEANS", "LA", "70112", 0.0945),
    ("OKLAHOMA CITY", "OK", "73102", 0.08625), ("DES MOINES", "IA", "50309", 0.07),
]
SHIP_WEIGHTS = np.array([8, 4, 9, 4, 3, 2, 8, 7, 5, 4, 4, 5, 5, 2, 3, 3, 3, 3, 3, 2, 3, 2, 3, 3,
                         3, 3, 2, 2, 2, 2, 4, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1,
                         1, 1], dtype=float)
RETURN_REASONS = {  # disposition -> candidate reasons
    "SELLABLE": ["UNWANTED_ITEM", "ORDERED_WRONG_ITEM", "NOT_COMPATIBLE", "FOUND_BETTER_PRICE",
                 "NO_LONGER_NEEDED", "MISSED_ESTIMATED_DELIVERY"],
    "CUSTOMER_DAMAGED": ["NOT_AS_DESCRIBED", "UNWANTED_ITEM", "DAMAGED_BY_FC", "SWITCHEROO"],
    "DEFECTIVE": ["DEFECTIVE", "QUALITY_UNACCEPTABLE", "MISSING_PARTS", "NOT_AS_DESCRIBED"],
}
RETURN_COMMENTS = ["", "", "", "Didn't need it after all", "Wrong size for my space",
                   "Stopped working after a week", "Color not as pictured",
                   "Box arrived crushed | item scratched", "Bought by mistake",
                   "Found a cheaper one locally", "Parts missing", "Too small"]


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------
ALNUM = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
DIGITS = np.array(list("0123456789"))


def rand_codes(rng, n, length, alphabet=ALNUM, prefix=""):
    """n distinct random codes (prefix + `length` chars drawn from `alphabet`)."""
    out, seen = [], set()
    while len(out) < n:
        k = n - len(out)
        chars = alphabet[rng.integers(0, len(alphabet), size=(k, length))]
        for row in chars:
            c = prefix + "".join(row)
            if c not in seen:
                seen.add(c)
                out.append(c)
    return np.array(out, dtype=object)


def unique_ints(rng, n, lo, hi):
    """n distinct random integers in [lo, hi) (vectorised, redraws collisions)."""
    vals = rng.integers(lo, hi, size=n, dtype=np.int64)
    while True:
        _, idx, cnt = np.unique(vals, return_index=True, return_counts=True)
        if len(idx) == n:
            return vals
        dup = np.ones(n, bool)
        dup[idx] = False  # keep first occurrence of each value
        vals[dup] = rng.integers(lo, hi, size=int(dup.sum()), dtype=np.int64)


def money(x):
    """Amazon flat-file money style: shortest repr of the 2-decimal value (25.0, 24.99)."""
    return np.round(np.asarray(x, float), 2).astype(str)


def fixed(x, nd):
    return np.char.mod(f"%.{nd}f", np.asarray(x, float))


def ints(x):
    return np.asarray(x).astype(np.int64).astype(str)


def blank_where(mask, values):
    return np.where(mask, "", values)


def month_add(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


def storage_base_rate(month):
    return np.where(np.isin(month, [10, 11, 12]), STORAGE_RATE_PEAK, STORAGE_RATE_OFFPEAK)


def us_pacific_offset(days: pd.DatetimeIndex):
    """'-0700' during US daylight saving time (local midnight), '-0800' otherwise."""
    y = days.year.values
    mar1 = pd.to_datetime(pd.DataFrame({"year": y, "month": 3, "day": 1}))
    nov1 = pd.to_datetime(pd.DataFrame({"year": y, "month": 11, "day": 1}))
    # second Sunday of March / first Sunday of November (weekday: Mon=0 .. Sun=6)
    start = mar1 + pd.to_timedelta((6 - mar1.dt.day_of_week) % 7 + 7, unit="D")
    end = nov1 + pd.to_timedelta((6 - nov1.dt.day_of_week) % 7, unit="D")
    dst = (days.values > start.values) & (days.values <= end.values)
    return np.where(dst, "-0700", "-0800")


def write_table(path: Path, header, cols, encoding="utf-8", gz=False, n_rows=None, chunk=200_000):
    """Write a tab-delimited Amazon flat file: header row, '\\n' line ends, no quoting.

    `cols` is either a list of equally long string arrays in header order, or a function
    `cols(lo, hi)` returning that list for rows lo..hi (then `n_rows` is required), which
    keeps memory flat for big files. Amazon does not quote values in tab files, so we only
    guarantee that no value contains a tab or newline. Rows are joined in plain Python,
    which is much faster than DataFrame.to_csv for wide string tables.
    """
    if not callable(cols):
        arrays = [np.asarray(c) for c in cols]
        n_rows = len(arrays[0])
        cols = lambda lo, hi: [a[lo:hi] for a in arrays]  # noqa: E731
    if gz:
        # mtime=0 and no embedded file name -> byte-identical output for identical input;
        # maximum compression for the committed sample, a faster level for benchmark sizes
        raw = open(path, "wb")
        level = 9 if n_rows <= 300_000 else 6
        fh = io.TextIOWrapper(gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=level),
                              encoding=encoding, newline="")
    else:
        raw, fh = None, open(path, "w", encoding=encoding, newline="")
    with fh:
        fh.write("\t".join(header) + "\n")
        for lo in range(0, n_rows, chunk):
            part_cols = [np.asarray(c) for c in cols(lo, min(lo + chunk, n_rows))]
            assert len(part_cols) == len(header), (path, len(header), len(part_cols))
            parts = []
            for name, c in zip(header, part_cols):
                text = "\x00".join(str(x) for x in pd.unique(c))
                if "\t" in text or "\n" in text or "\r" in text:
                    raise ValueError(f"{path.name}: column {name} contains a tab/newline")
                part = c.tolist()
                if c.dtype.kind != "U":
                    part = [x if type(x) is str else str(x) for x in part]
                parts.append(part)
            fh.write("".join("\t".join(row) + "\n" for row in zip(*parts)))
    if raw is not None:
        raw.close()
    return n_rows


# --------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------
@dataclass
class Catalog:
    sku: np.ndarray
    asin: np.ndarray
    fnsku: np.ndarray
    name: np.ndarray
    prefix: np.ndarray
    group: np.ndarray
    brand: np.ndarray
    price: np.ndarray
    unit_cost: np.ndarray
    dims: np.ndarray          # (S, 3) longest, median, shortest side in inches
    volume: np.ndarray        # cubic feet, = prod(dims) / 1728
    weight: np.ndarray        # pounds
    large: np.ndarray         # bool: UsLargeStandardSize tier in the fee preview
    profile: np.ndarray
    prod_lead: np.ndarray
    transit_lead: np.ndarray
    moq: np.ndarray
    case_pack: np.ndarray
    supplier: np.ndarray
    fcs: np.ndarray           # (S, 3) FC code per slot
    n_slots: np.ndarray


def assign_profiles(rng, S):
    counts = {p: int(round(share * S)) for p, share in PROFILE_SHARES}
    counts["new_launch"] = 1 if S < 100 else max(2, int(round(S * 0.012)))
    counts["steady"] = S - sum(counts.values())
    labels = np.concatenate([np.full(c, p, dtype=object) for p, c in counts.items()])
    return labels[rng.permutation(S)]


def build_catalog(rng, S) -> Catalog:
    bases = [(pfx, grp, brand, *item) for pfx, grp, brand, items in CATALOG for item in items]
    nb = len(bases)
    # The first 5 bases of the kitchen list carry the special characters; always use them.
    special = list(range(5))
    rest = [i for i in rng.permutation(nb) if i not in special]
    order = special + rest
    # every base once, then variants of the compact ones only: bulky items (> 0.5 cu ft at the
    # top of their range) stay single listings, so most of the catalogue is small
    compact = [i for i in order if bases[i][7] <= 0.5]
    base_idx = np.array([order[i] if i < nb else compact[(i - nb) % len(compact)] for i in range(S)])
    base_idx = base_idx[rng.permutation(S)]
    seen: dict[int, int] = {}
    names, prefixes, groups, brands = [], [], [], []
    price = np.empty(S)
    vol_target = np.empty(S)
    for i, b in enumerate(base_idx):
        pfx, grp, brand, base, plo, phi, vlo, vhi = bases[b]
        k = seen.get(b, 0)
        seen[b] = k + 1
        name = f"{brand} {base}"
        if k:
            name += f" ({VARIANTS[(k - 1) % len(VARIANTS)]})"
            if k > len(VARIANTS):
                name += f" Style {k}"
        names.append(name)
        prefixes.append(pfx)
        groups.append(grp)
        brands.append(brand)
        price[i] = rng.uniform(plo, phi)
        vol_target[i] = rng.uniform(vlo, vhi)
    price = np.clip(np.floor(price) + rng.choice([0.99, 0.95, 0.49, 0.0], size=S,
                                                 p=[0.6, 0.15, 0.15, 0.1]), 8.0, 80.0)
    sku = np.array([f"{p}-{i + 1:04d}" for i, p in enumerate(prefixes)], dtype=object)

    # Most items are small: pull the catalogue ranges towards ~0.1 cu ft (0.02 stays ~0.03,
    # 1.3 becomes ~0.55) so the median is ~0.1 and only a few bulky items drive storage fees.
    vol_target = 0.09 * (vol_target / 0.1) ** 0.7
    # Box dimensions with the target volume; capped to the standard-size envelope 18x14x8 in.
    r_med = rng.uniform(0.45, 0.9, S)
    r_short = rng.uniform(0.15, 0.55, S) * r_med
    longest = np.cbrt(vol_target * 1728 / (r_med * r_short))
    dims = np.round(np.minimum(np.stack([longest, longest * r_med, longest * r_short], 1),
                               [18.0, 14.0, 8.0]), 2)
    dims = np.maximum(dims, 0.5)
    dims = -np.sort(-dims, axis=1)
    volume = np.round(dims.prod(1) / 1728, 6)
    weight = np.round(0.15 + volume * rng.uniform(6, 14, S), 2)
    large = (volume > 0.45) | (weight > 5)

    profile = assign_profiles(rng, S)
    unit_cost = np.round(price * rng.uniform(0.20, 0.45, S), 2)
    prod_lead = rng.integers(10, 41, S)
    transit_lead = rng.integers(20, 41, S)
    so = profile == "stockout"
    prod_lead[so] = rng.integers(8, 16, so.sum())
    transit_lead[so] = rng.integers(18, 28, so.sum())
    # the supplier's standard carton and list MOQ; fit_order_terms() lowers both for slower
    # sellers once their sales rate is known
    case_pack = rng.choice([6, 12, 24, 36, 48], S)
    case_pack = np.where(volume > 0.4, rng.choice([2, 4, 6], S), case_pack)
    moq = (rng.choice([50, 100, 200, 300, 500], S, p=[0.2, 0.3, 0.25, 0.15, 0.1]))
    moq = np.maximum(moq // case_pack, 1) * case_pack
    n_slots = rng.choice([1, 2, 3], S, p=[0.3, 0.45, 0.25])
    fcs = np.array([rng.choice(FC_CODES, 3, replace=False) for _ in range(S)], dtype=object)
    return Catalog(
        sku=sku, asin=rand_codes(rng, S, 8, prefix="B0"), fnsku=rand_codes(rng, S, 7, prefix="X00"),
        name=np.array(names, dtype=object), prefix=np.array(prefixes, dtype=object),
        group=np.array(groups, dtype=object), brand=np.array(brands, dtype=object),
        price=price, unit_cost=unit_cost, dims=dims, volume=volume, weight=weight, large=large,
        profile=profile, prod_lead=prod_lead, transit_lead=transit_lead, moq=moq,
        case_pack=case_pack, supplier=np.array([SUPPLIERS[p] for p in prefixes], dtype=object),
        fcs=fcs, n_slots=n_slots)


CASE_PACKS = np.array([2, 4, 6, 12, 24, 36, 48])
NICE_MOQ = np.array([6, 10, 12, 20, 24, 25, 30, 40, 50, 60, 75, 100, 120, 150, 200, 250, 300, 400,
                     500, 600, 800, 1000])


def fit_order_terms(rng, cat: Catalog, lam: np.ndarray, D: int):
    """Case pack and MOQ sized to the SKU's sales rate, as a seller negotiates them: a case is
    at most ~1-3 weeks of sales (inner packs for slow movers), the MOQ at most ~3-6 weeks (a
    round number of whole cases), so one minimum order is never hundreds of days of supply."""
    S = len(cat.sku)
    lam = lam[:, :D]
    rate = lam.sum(1) / np.maximum((lam > 0).sum(1), 1)     # units/day while selling
    want = rate * rng.uniform(7, 20, S)
    cp = CASE_PACKS[np.clip(np.searchsorted(CASE_PACKS, want, side="right") - 1, 0, None)]
    cp = np.minimum(cp, cat.case_pack)
    raw = rate * rng.uniform(20, 45, S)
    moq = NICE_MOQ[np.minimum(np.searchsorted(NICE_MOQ, raw), len(NICE_MOQ) - 1)]
    moq = np.minimum(moq, cat.moq)
    moq = np.maximum(np.ceil(moq / cp), 1).astype(np.int64) * cp
    so = cat.profile == "stockout"
    moq[so] = 2 * cp[so]
    cat.case_pack, cat.moq = cp.astype(np.int64), moq.astype(np.int64)
    return rate


# --------------------------------------------------------------------------------------
# Demand model
# --------------------------------------------------------------------------------------
def demand_intensity(rng, cat: Catalog, dates: pd.DatetimeIndex, D: int, as_of_idx: int):
    """Expected units/day, shape (S, len(dates)); `dates` extends past the as-of date so
    the reorder logic can look ahead."""
    S, H = len(cat.sku), len(dates)
    prof = cat.profile
    base = np.exp(rng.normal(-1.3, 0.7, S)).clip(0.15, 5)          # steady-ish median ~0.27/day
    best = rng.random(S) < 0.05                                       # a few best sellers
    base = np.where(best & np.isin(prof, ["steady", "prime_day_spike"]), rng.uniform(3, 8, S), base)
    base = np.where(prof == "stockout", rng.uniform(1.5, 3.5, S), base)
    base = np.where(prof == "q4_seasonal", base * 0.8, base)
    base = np.where(prof == "dead_stock", rng.uniform(0.1, 0.35, S), base)
    base = np.where(prof == "new_launch", rng.uniform(1.5, 3.5, S), base)
    base = np.where(prof == "intermittent", rng.uniform(0.03, 0.12, S) * 2, base)

    doy = dates.day_of_year.values.astype(float)
    # mild account-wide seasonality: January dip, holiday lift
    season_all = np.interp(doy, [1, 20, 60, 280, 305, 330, 355, 366],
                           [0.95, 0.85, 1.0, 1.0, 1.1, 1.25, 1.3, 1.0])
    # Q4 products: 2-4x in Nov-Dec
    q4 = np.interp(doy, [1, 15, 258, 288, 319, 344, 358, 366], [1.2, 0.8, 0.8, 1.5, 2.6, 3.6, 3.0, 1.5])
    amp = rng.uniform(0.8, 1.15, S)[:, None]
    seasonal = np.where((prof == "q4_seasonal")[:, None], 1 + (q4[None, :] - 1) * amp, season_all[None, :])

    wd = dates.day_of_week.values
    weekly = np.array([1.0, 0.97, 0.95, 0.97, 1.0, 1.07, 1.1])[wd]
    wamp = rng.uniform(0.5, 1.5, S)[:, None]
    weekly = 1 + (weekly[None, :] - 1) * wamp

    dstr = dates.strftime("%Y-%m-%d")
    prime = np.isin(dstr, PRIME_DAYS)
    bfcm = np.isin(dstr, BFCM_DAYS)
    spike = prof == "prime_day_spike"
    mult = np.ones((S, H))
    mult[:, prime] = np.where(spike, rng.uniform(3, 6, S), 1.25)[:, None]
    mult[:, bfcm] = np.where(spike, rng.uniform(3, 6, S), 1.3)[:, None]

    t = np.arange(H)[None, :]
    trend = np.exp(rng.normal(0, 0.15, S)[:, None] * (t - as_of_idx) / 365)
    lam = base[:, None] * seasonal * weekly * mult * trend

    # launches ramp up over 30 days from their first receipt; dead stock stops selling
    launch = np.full(S, -10**6)
    nl = prof == "new_launch"
    launch[nl] = as_of_idx - rng.integers(42, 49, nl.sum())
    lam *= np.clip((t - launch[:, None]) / 30, 0, 1) * (t >= launch[:, None])
    stop = np.full(S, 10**6)
    dead = prof == "dead_stock"
    stop[dead] = as_of_idx - rng.integers(110, 200, dead.sum())
    lam *= t < stop[:, None]
    return lam, launch, stop


def draw_demand(rng, cat: Catalog, lam: np.ndarray, D: int):
    """Integer demand (S, D): gamma-Poisson (negative binomial) noise; intermittent SKUs
    get occasional 1-3 unit orders."""
    lam = lam[:, :D]
    k = rng.uniform(2, 8, len(cat.sku))[:, None]
    noisy = lam * rng.gamma(k, 1 / k, size=lam.shape)
    dem = rng.poisson(noisy)
    inter = cat.profile == "intermittent"
    if inter.any():
        p = lam[inter] / 2.0                      # expected 2 units per order day
        hit = rng.random(p.shape) < p
        dem[inter] = hit * rng.integers(1, 4, size=p.shape)
    return dem.astype(np.int64)


# --------------------------------------------------------------------------------------
# Stock simulation
# --------------------------------------------------------------------------------------
class StockSim:
    """Day-by-day FBA stock simulation, vectorised over SKUs and up to 3 FC slots per SKU.

    Per day: receipts -> customer returns -> adjustments -> FC transfers -> disposals ->
    sales (capped by available units; largest FC ships first) -> replenishment.
    Every movement is also written as a ledger event, so the ledger reproduces the stock.
    """

    def __init__(self, rng, cat: Catalog, lam, dem, launch, stop, D, as_of_idx):
        self.rng, self.cat, self.lam, self.dem, self.launch = rng, cat, lam, dem, launch
        self.stop = stop
        self.D, self.as_of_idx = D, as_of_idx
        S = self.S = len(cat.sku)
        prof = cat.profile
        self.H = lam.shape[1]
        self.cum = np.concatenate([np.zeros((S, 1)), np.cumsum(lam, axis=1)], axis=1)
        # order-up-to: stock position covers lead time + 45-75 days; reorder at lead time +
        # 3-4 weeks of safety stock
        self.cover = rng.integers(45, 76, S)
        self.safety = rng.integers(21, 29, S)
        so = prof == "stockout"
        self.cover[so] = rng.integers(30, 46, so.sum())
        self.safety[so] = 14
        self.lead = cat.prod_lead + cat.transit_lead
        # a handful of steady / Prime Day SKUs got one bulk buy 5-11 months ago (a volume
        # discount, an optimistic forecast) that leaves them with ~160-250 days of supply at
        # the as-of date: the slow movers of an otherwise well-run account
        rate = lam[:, :D].mean(1)
        cand = np.flatnonzero(np.isin(prof, ["steady", "prime_day_spike"]) & (rate > 0.1) & (rate < 1.5))
        n_bulk = min(len(cand), max(1, int(round(0.06 * S))))
        self.bulk_day = np.full(S, 10**6)
        self.bulk_cover = np.zeros(S, np.int64)
        bulk = rng.choice(cand, n_bulk, replace=False) if n_bulk else np.zeros(0, np.int64)
        elapsed = rng.integers(150, 331, len(bulk))
        self.bulk_day[bulk] = as_of_idx - elapsed
        self.bulk_cover[bulk] = rng.integers(160, 251, len(bulk)) + elapsed - self.lead[bulk]
        self.ret_rate = rng.uniform(0.03, 0.08, S)
        self.can_reorder = prof != "dead_stock"
        # stockout SKUs: from the "arm" day their open shipments are held up and no new ones are
        # placed; once they run dry the held (or a rush) shipment lands 15-28 days later, giving
        # a 2-4 week stock-out in the last 6 months
        self.armed_day = np.where(so, as_of_idx - rng.integers(165, 176, S), 10**6)
        self.armed = np.zeros(S, bool)
        self.ep_end = np.full(S, -1)     # day the stock-out episode's replenishment lands
        # the last two days have orders that are still Pending (reserved, not yet shipped)
        self.pend_p = {as_of_idx: 0.6, as_of_idx - 1: 0.15}

        self.sell = np.zeros((S, 3), np.int64)        # sellable units per FC slot
        self.unsell = np.zeros((S, 3, 3), np.int64)   # unsellable units per slot x UNSELL_DISP
        self.on_order = np.zeros(S, np.int64)         # ordered from supplier, not yet received
        self.pend_res = np.zeros(S, np.int64)         # reserved for Pending customer orders

        self.inflow_rows = []    # (sku, day, qty) units entering the sellable pool (FIFO ages)
        self.led = []            # ledger event batches (dicts of arrays)
        self.ship_rows = []      # (day, sku, slot, qty) shipped per FC
        self.ret_rows = []       # returned units (arrival day, sku, slot, sale day, disposition)
        self.shipments = []      # inbound shipments
        self.rcpt: dict[int, list] = {}   # shipment id -> [(day, qty)] receipt chunks
        self.held: dict[int, list] = {}   # sku -> shipment ids held up (stockout profile)
        self.recv_sched: dict[int, list] = {}
        self.ret_sched: dict[int, list] = {}
        self.adj_refs = iter(unique_ints(rng, 1000 + S * D // 40, 10**10, 10**11))

        self.shipped = np.zeros((S, D), np.int64)
        self.pending = np.zeros((S, D), np.int64)
        self.sell_tot = np.zeros((S, D), np.int64)
        self.unsell_tot = np.zeros((S, D), np.int64)
        self.slot_onhand = np.zeros((S, 3, D), np.int32)
        self.inv_vol = np.zeros(D)
        self.ship_vol = np.zeros(D)
        self._opening_state()

    # ---- helpers ---------------------------------------------------------------------
    def _ledger(self, day, sku, slot, qty, ev, disp=0, reason=0, ref=None):
        n = len(sku)
        if n:
            self.led.append(dict(day=np.full(n, day), sku=np.asarray(sku), slot=np.asarray(slot),
                                 qty=np.asarray(qty), ev=np.full(n, ev),
                                 disp=np.broadcast_to(np.asarray(disp), (n,)).copy(),
                                 reason=np.full(n, reason),
                                 ref=np.full(n, -1) if ref is None else np.asarray(ref)))

    def _next_refs(self, n):
        return np.array([next(self.adj_refs) for _ in range(n)], dtype=np.int64)

    def _create_shipments(self, skus, qty, created, arrive, work_days):
        """Schedule inbound shipments: working from `created`, shipped after `work_days`,
        received at one FC in 1-2 chunks (2 only for 48+ units) starting on `arrive`."""
        rng, cat = self.rng, self.cat
        for s, q, c, a, w in zip(skus, qty, created, arrive, work_days):
            s, q, c, a, w = int(s), int(q), int(c), int(a), int(w)
            sid = len(self.shipments)
            slot = int(rng.integers(0, cat.n_slots[s]))
            first = q if q < 48 else int(q * rng.uniform(0.6, 0.95))   # small shipments land at once
            chunks = [(a, first)]
            if q > first:
                chunks.append((a + int(rng.integers(1, 4)), q - first))
            self.shipments.append(dict(sid=sid, sku=s, slot=slot, qty=q, created=c,
                                       shipped=min(c + w, a - 1), arrive=a, last=chunks[-1][0]))
            self._schedule(sid, chunks)
            self.on_order[s] += q

    def _schedule(self, sid, chunks):
        sh = self.shipments[sid]
        self.rcpt[sid] = chunks
        for day, cq in chunks:
            if 0 <= day < self.D:
                self.recv_sched.setdefault(day, []).append((sh["sku"], sh["slot"], cq, sid))

    def _hold(self, d, skus):
        """Stockout profile: shipments not yet received are held up (arrive late)."""
        skus = set(int(x) for x in skus)
        held = {s: [] for s in skus}
        for day in [k for k in self.recv_sched if k >= d]:
            keep = []
            for e in self.recv_sched[day]:
                (held[e[0]] if e[0] in skus else keep).append(e)
            self.recv_sched[day] = keep
        for s, entries in held.items():
            self.held[s] = sorted({e[3] for e in entries})

    def _release(self, d, s, gap):
        """Held shipments of SKU s finally arrive together at d + gap."""
        for sid in self.held.pop(s, []):
            sh = self.shipments[sid]
            old = self.rcpt[sid]
            a = d + gap
            chunks = [(a + (day - old[0][0]), q) for day, q in old]
            sh.update(arrive=a, last=chunks[-1][0], created=min(sh["created"], a - 3),
                      shipped=min(sh["shipped"], a - 1))
            self._schedule(sid, chunks)

    def _opening_state(self):
        """Stock on hand before day 0 (not in the ledger) and pre-planned receipts."""
        rng, cat, cum, H = self.rng, self.cat, self.cum, self.H
        prof = cat.profile
        lots = []
        for s in np.flatnonzero(~np.isin(prof, ["dead_stock", "new_launch"])):
            horizon = min(int(self.lead[s] + self.cover[s] // 2), H - 1)
            units = int(max(cat.case_pack[s], cum[s, horizon] * rng.uniform(0.7, 1.2)))
            a1 = -int(rng.integers(5, 60))
            q1 = int(units * rng.uniform(0.5, 0.9))
            lots += [(s, a1, q1), (s, a1 - int(rng.integers(30, 120)), units - q1)]
        for s in np.flatnonzero(prof == "dead_stock"):
            # two old lots: one ends up 456+ days old, the other 366-455 days old at as-of.
            # The first lot covers the sales until the SKU stopped selling (FIFO sells it
            # first) plus 15-40 units left over; the second lot is never touched.
            a1, a2 = int(rng.integers(470, 540)), int(rng.integers(380, 440))
            d1 = self.as_of_idx - a1
            sold = cum[s, min(max(int(self.stop[s]), 0), H - 1)] - cum[s, min(max(d1, 0), H - 1)]
            for age, q in ((a1, int(np.ceil(sold * 1.1)) + int(rng.integers(15, 41))),
                           (a2, int(rng.integers(10, 31)))):
                day = self.as_of_idx - age
                if day < 0:
                    lots.append((s, day, q))
                else:
                    self._create_shipments([s], [q], [day - 30], [day], [4])
        for s in np.flatnonzero(prof == "new_launch"):
            L = int(self.launch[s])
            q = max(cum[s, min(L + 60, H - 1)] - cum[s, L], 60)
            q = int(np.ceil(q / cat.case_pack[s]) * cat.case_pack[s])
            self._create_shipments([s], [q], [L - cat.transit_lead[s] - 4], [L], [4])
        for s, day, q in lots:
            n = int(cat.n_slots[s])
            self.sell[s, :n] += rng.multinomial(q, np.ones(n) / n)
            if q:
                self.inflow_rows.append((s, day, q))
        self.opening = self.sell.sum(1).copy()

    # ---- one simulated day -------------------------------------------------------------
    def _receive(self, d):
        for s, slot, q, sid in self.recv_sched.pop(d, []):
            self.sell[s, slot] += q
            self.on_order[s] -= q
            self.inflow_rows.append((s, d, q))
            self._ledger(d, [s], [slot], [q], EV_RECEIPT, ref=[sid])

    def _customer_returns(self, d):
        for s, slot, nd, sale_day in self.ret_sched.pop(d, []):
            # during a stock-out episode returns wait at the returns centre until the
            # replenishment lands (keeps the 2-4 week zero-stock run unbroken)
            wait = self.ep_end[s] > d
            if wait.any():
                later = int(self.ep_end[s[wait]].max())
                if later < self.D:
                    self.ret_sched.setdefault(later, []).append((s[wait], slot[wait], nd[wait], sale_day[wait]))
                s, slot, nd, sale_day = s[~wait], slot[~wait], nd[~wait], sale_day[~wait]
                if len(s) == 0:
                    continue
            # nd: (n, 3) units by disposition SELLABLE / CUSTOMER_DAMAGED / DEFECTIVE
            np.add.at(self.sell, (s, slot), nd[:, 0])
            np.add.at(self.unsell, (s, slot, 0), nd[:, 1])
            np.add.at(self.unsell, (s, slot, 1), nd[:, 2])
            m = nd[:, 0] > 0
            self.inflow_rows.extend(zip(s[m], [d] * int(m.sum()), nd[m, 0]))
            for k in range(3):
                mk = nd[:, k] > 0
                if mk.any():
                    self.ret_rows.append((np.full(mk.sum(), d), s[mk], slot[mk], sale_day[mk],
                                          np.full(mk.sum(), k), nd[mk, k]))

    def _adjustments(self, d):
        """Rare inventory adjustments: lost (M), damaged in the FC (E: SELLABLE -> WAREHOUSE_
        DAMAGED), found (F); unsellable units disposed of (D) every 60 days."""
        rng, sell, S = self.rng, self.sell, self.S
        avail = sell.sum(1) - self.pend_res
        r = rng.random(S)
        big = np.argmax(sell, axis=1)
        events = ((np.flatnonzero((r < 0.0015) & (avail >= 3)), -1, 1),
                  (np.flatnonzero((r >= 0.0015) & (r < 0.0025) & (avail >= 3)), -1, 2),
                  (np.flatnonzero((r >= 0.0025) & (r < 0.0033) & (sell.sum(1) > 0)), 1, 3))
        for s, sign, reason in events:
            if len(s) == 0:
                continue
            sl = big[s]
            q = rng.integers(1, 3, len(s))
            if sign < 0:
                q = np.minimum(q, sell[s, sl])
            refs = self._next_refs(len(s))
            sell[s, sl] += sign * q
            self._ledger(d, s, sl, sign * q, EV_ADJ, 0, reason, ref=refs)
            if reason == 2:
                self.unsell[s, sl, 2] += q
                self._ledger(d, s, sl, q, EV_ADJ, 3, reason, ref=refs)
            if reason == 3:
                self.inflow_rows.extend(zip(s, [d] * len(s), q))
        if d % 60 == 59:
            ss, sl, kk = np.nonzero(self.unsell)
            if len(ss):
                q = self.unsell[ss, sl, kk].copy()
                self.unsell[ss, sl, kk] = 0
                self._ledger(d, ss, sl, -q, EV_ADJ, kk + 1, 4, ref=self._next_refs(len(ss)))

    def _transfers(self, d):
        """Warehouse transfers between a SKU's FCs: a -n/+n pair on the same day."""
        cat, sell, rng = self.cat, self.sell, self.rng
        xf = np.flatnonzero((rng.random(self.S) < 0.003) & (cat.n_slots > 1) & (sell.max(1) >= 10))
        if len(xf):
            src = np.argmax(sell[xf], axis=1)
            dst = (src + 1 + rng.integers(0, cat.n_slots[xf] - 1)) % cat.n_slots[xf]
            q = np.maximum(1, (sell[xf, src] * rng.uniform(0.1, 0.4, len(xf))).astype(np.int64))
            sell[xf, src] -= q
            sell[xf, dst] += q
            self._ledger(d, xf, src, -q, EV_XFER)
            self._ledger(d, xf, dst, q, EV_XFER)

    def _sell(self, d):
        rng, sell = self.rng, self.sell
        avail = sell.sum(1) - self.pend_res
        sales = np.minimum(self.dem[:, d], avail)       # no sales while out of stock
        if d in self.pend_p:
            pend = rng.binomial(sales, self.pend_p[d])
            self.pending[:, d] = pend
            self.pend_res += pend
            sales = sales - pend
        self.shipped[:, d] = sales
        rem = sales.copy()
        order = np.argsort(-sell, axis=1, kind="stable")  # the fullest FC ships first
        ar = np.arange(self.S)
        for k in range(3):
            col = order[:, k]
            take = np.minimum(rem, sell[ar, col])
            nz = np.flatnonzero(take)
            if len(nz):
                sell[nz, col[nz]] -= take[nz]
                self.ship_rows.append((np.full(len(nz), d), nz, col[nz], take[nz]))
            rem -= take
        # a share of today's shipped units comes back 5-30 days later
        nret = rng.binomial(sales, self.ret_rate)
        rs = np.flatnonzero(nret)
        if len(rs):
            lag = rng.integers(5, 31, len(rs))
            slot = rng.integers(0, self.cat.n_slots[rs])
            nd = rng.multinomial(nret[rs], [0.55, 0.25, 0.20])
            for lg in np.unique(lag):
                m = lag == lg
                if d + lg < self.D:   # later returns have not happened yet at the as-of date
                    self.ret_sched.setdefault(d + int(lg), []).append(
                        (rs[m], slot[m], nd[m], np.full(m.sum(), d)))
        return sales

    def _replenish(self, d):
        """Reorder when stock position < demand over lead time + safety; order up to
        lead time + cover (forward-looking, so Q4 SKUs stock up before the peak)."""
        cat, cum, H = self.cat, self.cum, self.H
        ar = np.arange(self.S)
        pos = self.sell.sum(1) - self.pend_res + self.on_order
        arm_now = np.flatnonzero(~self.armed & (d >= self.armed_day))
        if len(arm_now):
            self.armed[arm_now] = True
            self._hold(d, arm_now)
        rop = cum[ar, np.minimum(d + self.lead + self.safety, H - 1)] - cum[:, d]
        cover = np.where(self.bulk_day == d, self.bulk_cover, self.cover)
        tgt = cum[ar, np.minimum(d + self.lead + cover, H - 1)] - cum[:, d]
        s = np.flatnonzero(self.can_reorder & ~self.armed & (d >= self.launch)
                           & ((pos < rop) | (self.bulk_day == d)) & (tgt - pos > 0.5))
        if len(s):
            q = np.maximum(tgt[s] - pos[s], cat.moq[s])
            q = (np.ceil(q / cat.case_pack[s]) * cat.case_pack[s]).astype(np.int64)
            self._create_shipments(s, q, d + cat.prod_lead[s], d + self.lead[s],
                                   self.rng.integers(2, 7, len(s)))
        dry = np.flatnonzero(self.armed & (self.sell.sum(1) - self.pend_res <= 0))
        for s in dry:
            gap = int(self.rng.integers(15, 29))
            if self.held.get(s):
                self._release(d, s, gap)
            else:   # nothing on the way: a rush shipment
                q = cum[s, min(d + 60, H - 1)] - cum[s, d]
                q = int(max(np.ceil(q / cat.case_pack[s]), 1) * cat.case_pack[s])
                self._create_shipments([s], [q], [d + gap - 12], [d + gap], [2])
            self.armed_day[s] = 10**6      # one stock-out episode per SKU
            self.ep_end[s] = d + gap
            self.armed[s] = False

    def run(self):
        vol = self.cat.volume
        for d in range(self.D):
            self._receive(d)
            self._customer_returns(d)
            self._adjustments(d)
            self._transfers(d)
            sales = self._sell(d)
            self._replenish(d)
            st, ut = self.sell.sum(1), self.unsell.sum((1, 2))
            self.sell_tot[:, d], self.unsell_tot[:, d] = st, ut
            self.slot_onhand[:, :, d] = self.sell + self.unsell.sum(2)
            self.inv_vol[d] = ((st + ut) * vol).sum()
            self.ship_vol[d] = (sales * vol).sum()
        return self

    # ---- tidy outputs -------------------------------------------------------------------
    def tables(self):
        led = pd.DataFrame({k: np.concatenate([x[k] for x in self.led]) for k in self.led[0]})
        cols = ["day", "sku", "slot", "qty"]
        ship = pd.DataFrame({c: np.concatenate([r[i] for r in self.ship_rows]) for i, c in enumerate(cols)})
        rcols = ["day", "sku", "slot", "sale_day", "disp", "n"]
        rets = pd.DataFrame({c: (np.concatenate([r[i] for r in self.ret_rows]) if self.ret_rows
                                 else np.zeros(0, np.int64)) for i, c in enumerate(rcols)})
        inflows = pd.DataFrame(self.inflow_rows, columns=["sku", "day", "qty"]).astype(np.int64)
        shp = pd.DataFrame(self.shipments)
        rec = pd.DataFrame([(sid, day, q) for sid, ch in sorted(self.rcpt.items()) for day, q in ch],
                           columns=["sid", "day", "qty"])
        return led, ship, rets, inflows, shp, rec


# --------------------------------------------------------------------------------------
# Orders (from simulated shipped / pending units), returns and the ledger
# --------------------------------------------------------------------------------------
def iso_utc(seconds, epoch: pd.Timestamp):
    """Seconds since `epoch` (UTC midnight of day 0) -> '2026-05-08T23:36:26+00:00'."""
    ts = epoch + pd.to_timedelta(np.asarray(seconds, np.int64), unit="s")
    return ts.strftime("%Y-%m-%dT%H:%M:%S+00:00").values


def time_of_day(rng, n):
    """Seconds into a UTC day, weighted to US shopping hours."""
    w = np.array([8, 7, 6, 5, 3, 2, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 7, 7, 8], float)
    hour = rng.choice(24, size=n, p=w / w.sum())
    return hour * 3600 + rng.integers(0, 3600, n)


def build_orders(rng, cat: Catalog, sim: StockSim, as_of_idx: int):
    """One row per order item. Shipped + Pending lines come from the simulation (so the
    ledger matches); Cancelled lines are extra demand that never left the warehouse."""
    cells_s, cells_d = np.nonzero(sim.shipped)
    pend_s, pend_d = np.nonzero(sim.pending)
    c_sku = np.concatenate([cells_s, pend_s])
    c_day = np.concatenate([cells_d, pend_d])
    c_n = np.concatenate([sim.shipped[cells_s, cells_d], sim.pending[pend_s, pend_d]])
    c_status = np.concatenate([np.zeros(len(cells_s), np.int8), np.ones(len(pend_s), np.int8)])
    # split each SKU-day's units into order lines: P(line qty = 1) ~ 0.88
    unit_cell = np.repeat(np.arange(len(c_n)), c_n)
    first = np.ones(len(unit_cell), bool)
    first[1:] = unit_cell[1:] != unit_cell[:-1]
    new_line = first | (rng.random(len(unit_cell)) < 0.88)
    line_cell = unit_cell[new_line]
    qty = np.bincount(np.cumsum(new_line) - 1)
    L = pd.DataFrame({"sku": c_sku[line_cell], "day": c_day[line_cell], "qty": qty,
                      "status": np.where(c_status[line_cell] == 1, "Pending", "Shipped")})
    L["mcf"] = (L["status"] == "Shipped") & (rng.random(len(L)) < 0.01)
    # cancelled lines: ~3% extra lines, half with quantity 0
    canc = L[(L["status"] == "Shipped") & ~L["mcf"] & (rng.random(len(L)) < 0.03)].copy()
    canc["status"] = "Cancelled"
    canc["qty"] = np.where(rng.random(len(canc)) < 0.5, 0, canc["qty"])
    L = pd.concat([L, canc], ignore_index=True)
    L["ts"] = L["day"].to_numpy() * 86400 + time_of_day(rng, len(L))
    L = L.sort_values(["ts", "sku"], kind="stable").reset_index(drop=True)
    # ~4% of Amazon.com shipped lines join the previous line's order (multi-item orders)
    ok = ((L["status"] == "Shipped") & ~L["mcf"]).to_numpy()
    day, sku = L["day"].to_numpy(), L["sku"].to_numpy()
    merge = np.zeros(len(L), bool)
    merge[1:] = ok[1:] & ok[:-1] & (day[1:] == day[:-1]) & (sku[1:] != sku[:-1])
    merge &= rng.random(len(L)) < 0.04
    grp = np.cumsum(~merge) - 1
    n_orders = grp[-1] + 1
    first_ts = L["ts"].to_numpy()[np.flatnonzero(~merge)]
    L["ts"] = first_ts[grp]
    L["grp"] = grp
    # identifiers
    onum = pd.Series(unique_ints(rng, n_orders, 10**13, 10**14).astype(str))
    o_mcf = np.zeros(n_orders, bool)
    o_mcf[grp[L["mcf"].to_numpy()]] = True
    pfx = np.where(o_mcf, "S01", rng.choice(["111", "112", "113", "114"], n_orders))
    order_id = (pd.Series(pfx) + "-" + onum.str[:7] + "-" + onum.str[7:]).to_numpy()
    L["order_id"] = order_id[grp]
    L["item_id"] = unique_ints(rng, len(L), 10**13, 10**14).astype(str)
    L["merchant_id"] = ""
    m = L["mcf"].to_numpy()
    L.loc[m, "merchant_id"] = ["#" + str(x) for x in rng.integers(10_000, 99_999, m.sum())]
    # last-updated-date
    end = (as_of_idx + 1) * 86400 - 1
    ts = L["ts"].to_numpy()
    st = L["status"].to_numpy()
    upd = np.where(st == "Shipped", ts + rng.integers(86400, 3 * 86400, len(L)),
                   np.where(st == "Cancelled", ts + rng.integers(600, 6 * 3600, len(L)),
                            ts + rng.integers(60, 1800, len(L))))
    L["updated"] = np.maximum(np.minimum(upd, end), ts)
    return L


def attach_returns(rng, sim_rets: pd.DataFrame, L: pd.DataFrame):
    """Give every returned unit an earlier shipped order line of the same SKU and sale day
    (Amazon.com lines first), never more units than the line shipped."""
    if len(sim_rets) == 0:
        return sim_rets.assign(order_id=pd.Series(dtype=object))
    R = sim_rets.loc[sim_rets.index.repeat(sim_rets["n"])].reset_index(drop=True)
    R["n"] = 1
    shipped = L[L["status"] == "Shipped"]
    U = shipped.loc[shipped.index.repeat(shipped["qty"])][["sku", "day", "mcf", "order_id"]]
    U = U.assign(r=rng.random(len(U))).sort_values(["sku", "day", "mcf", "r"]).reset_index(drop=True)
    U["rank"] = U.groupby(["sku", "day"]).cumcount()
    R["rank"] = R.groupby(["sku", "sale_day"]).cumcount()
    R = R.merge(U[["sku", "day", "rank", "order_id"]].rename(columns={"day": "sale_day"}),
                on=["sku", "sale_day", "rank"], how="left", validate="one_to_one")
    assert R["order_id"].notna().all(), "return without a matching shipped order unit"
    return R


def build_ledger(rng, cat: Catalog, sim: StockSim, led, ship, R, L, shp, window_start, as_of_idx):
    """Ledger detail rows: simulation events + per-FC daily Shipments + CustomerReturns."""
    # Shipments: one row per SKU x day x FC, referencing one of that day's orders
    first_order = (L[L["status"] == "Shipped"].sort_values("ts")
                   .groupby(["sku", "day"])["order_id"].first())
    ship_ref = first_order.reindex(pd.MultiIndex.from_arrays([ship["sku"], ship["day"]])).to_numpy()
    parts = [pd.DataFrame({"day": ship["day"], "sku": ship["sku"], "slot": ship["slot"],
                           "qty": -ship["qty"], "ev": EV_SHIP, "disp": 0, "reason": 0,
                           "ref": ship_ref})]
    if len(R):
        g = (R.groupby(["day", "sku", "slot", "disp", "order_id"], as_index=False)["n"].sum())
        parts.append(pd.DataFrame({"day": g["day"], "sku": g["sku"], "slot": g["slot"], "qty": g["n"],
                                   "ev": EV_RETURN, "disp": g["disp"], "reason": 0,
                                   "ref": g["order_id"]}))
    led = led.copy()
    sid_names = np.asarray(shp["sid_name"])
    ref = np.full(len(led), "", dtype=object)
    rec = led["ev"].to_numpy() == EV_RECEIPT
    ref[rec] = sid_names[led["ref"].to_numpy()[rec]]
    adj = led["ev"].to_numpy() == EV_ADJ
    ref[adj] = led["ref"].to_numpy()[adj].astype(str)
    led["ref"] = ref
    parts.append(led)
    G = pd.concat(parts, ignore_index=True)
    G = G.sort_values(["day", "ev", "sku", "slot", "disp"], kind="stable").reset_index(drop=True)
    # reconciliation of lost/damaged adjustments: settled after ~30 days
    q = G["qty"].to_numpy()
    reason = G["reason"].to_numpy()
    needs = (G["ev"].to_numpy() == EV_ADJ) & np.isin(reason, [1, 2]) & (q < 0)
    old = G["day"].to_numpy() < as_of_idx - 30
    G["reconciled"] = np.where(needs & old, -q, np.where(reason == 3, q, 0))
    G["unreconciled"] = np.where(needs & ~old, -q, 0)
    return G


# --------------------------------------------------------------------------------------
# Snapshot state (planning / MYI / restock)
# --------------------------------------------------------------------------------------
@dataclass
class Snapshot:
    t: int
    date: date
    available: np.ndarray
    reserved_cust: np.ndarray
    fc_processing: np.ndarray
    unfulfillable: np.ndarray
    working: np.ndarray
    in_shipped: np.ndarray
    receiving: np.ndarray
    ages: np.ndarray                # (S, max_age+1) units by age in days (capped)
    shipped_t: dict = field(default_factory=dict)


AGE_CAP = 800


def snapshot_state(rng, cat: Catalog, sim: StockSim, inflows, shp, rec, t, window_start):
    S = len(cat.sku)
    sellable = sim.sell_tot[:, t]
    reserved = sim.pending[:, :t + 1].sum(1)
    free = sellable - reserved
    # a few units held for FC processing (an accounting split of sellable units)
    fcp = np.where((rng.random(S) < 0.12) & (free >= 6), rng.integers(1, 4, S), 0)
    # inbound shipment states at the end of day t
    received = rec[rec["day"] <= t].groupby("sid")["qty"].sum().reindex(shp["sid"], fill_value=0).to_numpy()
    c, sh, a = shp["created"].to_numpy(), shp["shipped"].to_numpy(), shp["arrive"].to_numpy()
    qty, sku = shp["qty"].to_numpy(), shp["sku"].to_numpy()
    working = np.bincount(sku, weights=qty * ((c <= t) & (t < sh)), minlength=S)
    in_ship = np.bincount(sku, weights=qty * ((sh <= t) & (t < a)), minlength=S)
    receiving = np.bincount(sku, weights=(qty - received) * (a <= t), minlength=S)
    # FIFO ages: the units still on hand are the most recent inflows
    f = inflows[inflows["day"] <= t].sort_values(["sku", "day"], ascending=[True, False], kind="stable")
    newer = f.groupby("sku")["qty"].cumsum().to_numpy() - f["qty"].to_numpy()
    rem = np.clip(sellable[f["sku"].to_numpy()] - newer, 0, f["qty"].to_numpy())
    age = np.minimum(t - f["day"].to_numpy(), AGE_CAP)
    ages = np.zeros((S, AGE_CAP + 1), np.int64)
    np.add.at(ages, (f["sku"].to_numpy(), age), rem)
    assert (ages.sum(1) == sellable).all(), "FIFO ages do not add up to sellable units"
    snap = Snapshot(t=t, date=(window_start + timedelta(days=t)), available=free - fcp,
                    reserved_cust=reserved, fc_processing=fcp, unfulfillable=sim.unsell_tot[:, t],
                    working=working.astype(np.int64), in_shipped=in_ship.astype(np.int64),
                    receiving=receiving.astype(np.int64), ages=ages)
    for n in (7, 30, 60, 90, 365):
        snap.shipped_t[n] = sim.shipped[:, max(0, t - n + 1):t + 1].sum(1)
    return snap


def age_sum(ages, lo, hi):
    return ages[:, lo:min(hi, AGE_CAP) + 1].sum(1)


def velocity(snap: Snapshot):
    """Forecast units/day used for days-of-supply style metrics."""
    t30, t90 = snap.shipped_t[30] / 30, snap.shipped_t[90] / 90
    return np.where(t30 > 0, 0.7 * t30 + 0.3 * t90, t90)


def restock_reco(cat: Catalog, snap: Snapshot, rate):
    """Recommended replenishment qty and ship date (simple order-up-to rule)."""
    lead = cat.prod_lead + cat.transit_lead
    on_hand = snap.available + snap.reserved_cust + snap.fc_processing
    inbound = snap.working + snap.in_shipped + snap.receiving
    target = rate * (cat.transit_lead + 60)
    qty = np.maximum(0, target - on_hand - inbound)
    qty = np.where(qty > 0, np.ceil(qty / cat.case_pack) * cat.case_pack, 0).astype(np.int64)
    qty = np.where(rate > 0, qty, 0)
    days_left = np.where(rate > 0, (snap.available + inbound) / np.maximum(rate, 1e-9), 10**4)
    ship_in = np.clip(days_left - cat.transit_lead, 0, 365).astype(np.int64)
    return qty, ship_in, lead


# --------------------------------------------------------------------------------------
# Writers, one per report
# --------------------------------------------------------------------------------------
def dos_text(units, rate):
    """Restock days of supply: integer, or '365+'."""
    days = np.where(rate > 0, units / np.maximum(rate, 1e-9), np.where(units > 0, 10**6, 0))
    return np.where(days > 365, "365+", ints(np.floor(days)))


def write_planning(out: Path, cat: Catalog, sim: StockSim, snap: Snapshot, rng):
    S = len(cat.sku)
    d = snap.date
    ages = snap.ages
    rate = velocity(snap)
    has_rate = rate > 0
    avail = snap.available
    reserved = snap.reserved_cust + snap.fc_processing
    on_hand = avail + reserved + snap.unfulfillable
    inbound = snap.working + snap.in_shipped + snap.receiving
    vol = cat.volume
    price = cat.price
    next_month = month_add(d.replace(day=1), 1).month
    rate_next = float(storage_base_rate(np.array([next_month]))[0])
    storage_volume = vol * on_hand
    sellable = avail + reserved

    coarse = [age_sum(ages, 0, 90), age_sum(ages, 91, 180), age_sum(ages, 181, 270),
              age_sum(ages, 271, 365), age_sum(ages, 366, 455), age_sum(ages, 456, AGE_CAP)]
    fine = [age_sum(ages, 0, 30), age_sum(ages, 31, 60), age_sum(ages, 61, 90),
            age_sum(ages, 181, 330), age_sum(ages, 331, 365)]
    ais = []
    for lo, hi, per_cuft, per_unit in AIS_BANDS:
        q = age_sum(ages, lo, hi)
        ais += [ints(q), money(q * np.maximum(vol * per_cuft, per_unit))]

    dos = np.where(has_rate, np.floor(avail / np.maximum(rate, 1e-9)), 0)
    excess = np.where(has_rate, np.maximum(0, avail - np.ceil(rate * 90)), avail).astype(np.int64)
    no_sales = snap.shipped_t[90] == 0
    action = np.where(excess == 0, "NoExcessInventory",
                      np.where(no_sales, "CreateRemovalOrder", "ReducePrice"))
    reduce = action == "ReducePrice"
    remove = action == "CreateRemovalOrder"
    savings = excess * vol * rate_next * 3
    alert = np.where(no_sales & (avail > 0), "Low traffic",
                     np.where((excess > 0) & ~no_sales, "Low conversion", ""))
    # sell-through = units shipped T90 / average sellable units on hand over T90
    lo = max(0, snap.t - 89)
    avg90 = sim.sell_tot[:, lo:snap.t + 1].mean(1)
    avg365 = sim.sell_tot[:, max(0, snap.t - 364):snap.t + 1].mean(1)
    sell_through = np.where(avg90 > 0, snap.shipped_t[90] / np.maximum(avg90, 1e-9), 0)
    hdos_s = np.where(snap.shipped_t[90] > 0, avg90 / np.maximum(snap.shipped_t[90] / 90, 1e-9), np.nan)
    n365 = min(365, snap.t + 1)
    hdos_l = np.where(snap.shipped_t[365] > 0, avg365 / np.maximum(snap.shipped_t[365] / n365, 1e-9), np.nan)
    min_level = np.ceil(rate * 28).astype(np.int64)
    exempt = (cat.profile == "new_launch") | (snap.shipped_t[7] < 20)
    low = np.nan_to_num(hdos_s, nan=1e9) < 28
    fee_applied = ~exempt & low & (np.nan_to_num(hdos_l, nan=1e9) < 28)
    reco_qty, ship_in, _ = restock_reco(cat, snap, rate)
    ship_in_date = pd.to_datetime(d) + pd.to_timedelta(ship_in, unit="D")
    monday = d - timedelta(days=d.weekday())
    t30 = snap.shipped_t[30]
    rank = np.where(t30 > 0, 400_000 / (t30 + 1) ** 0.85, 900_000) * rng.uniform(0.8, 1.25, S)
    seasonal_soon = (cat.profile == "q4_seasonal") & (d.month in (7, 8, 9, 10, 11))
    season_year = d.year
    wk_t30 = np.where(t30 > 0, avail / np.maximum(t30 / 30 * 7, 1e-9), 0)
    wk_t90 = np.where(snap.shipped_t[90] > 0, avail / np.maximum(snap.shipped_t[90] / 90 * 7, 1e-9), 0)
    ds = d.isoformat()
    E = np.full(S, "", dtype=object)
    cols = [
        np.full(S, ds), cat.sku, cat.fnsku, cat.asin, cat.name, np.full(S, "New"), ints(avail),
        np.full(S, "0"), *[ints(c) for c in coarse], np.full(S, "USD"),
        ints(snap.shipped_t[7]), ints(snap.shipped_t[30]), ints(snap.shipped_t[60]), ints(snap.shipped_t[90]),
        alert, money(price), np.full(S, "0.0"), money(price * rng.uniform(0.97, 1.05, S)), E,
        action, E, blank_where(~reduce, money(price * 0.85)), blank_where(~reduce, "14"),
        blank_where(~remove, ints(excess)), blank_where(excess == 0, money(savings)),
        money(sell_through), fixed(vol, 6), np.full(S, "cubic feet"), np.full(S, "Standard"),
        fixed(storage_volume, 6), np.full(S, "US"), cat.group, ints(rank),
        blank_where(~has_rate, ints(dos)), ints(excess),
        blank_where(t30 == 0, ints(np.floor(wk_t30))),
        blank_where(snap.shipped_t[90] == 0, ints(np.floor(wk_t90))),
        money(price),
        *[money(snap.shipped_t[n] * price) for n in (7, 30, 60, 90)],
        *[ints(c) for c in fine],
        money(storage_volume * rate_next),
        ints(inbound), ints(snap.working), ints(snap.in_shipped), ints(snap.receiving), E,
        ints(reserved), ints(snap.unfulfillable),
        *ais,
        blank_where(np.isnan(hdos_s), np.round(np.nan_to_num(hdos_s), 1).astype(str)),
        ints(min_level), np.where(low, "Low", "Healthy"),
        ints(reco_qty), blank_where(reco_qty == 0, ship_in_date.strftime("%Y-%m-%d").values),
        np.full(S, monday.isoformat()), np.where(exempt, "Yes", "No"), np.where(fee_applied, "Yes", "No"),
        blank_where(np.isnan(hdos_s), np.round(np.nan_to_num(hdos_s), 1).astype(str)),
        blank_where(np.isnan(hdos_l), np.round(np.nan_to_num(hdos_l), 1).astype(str)),
        np.full(S, monday.isoformat()), ints(avail + inbound), np.full(S, "0"),
        ints(snap.fc_processing), ints(snap.reserved_cust),
        blank_where(~has_rate, ints(np.floor((avail + inbound) / np.maximum(rate, 1e-9)))),
        np.full(S, "unassigned"), np.where(seasonal_soon, "Y", "N"),
        blank_where(~seasonal_soon, "Holiday"),
        blank_where(~seasonal_soon, f"{season_year}-10-01"), blank_where(~seasonal_soon, f"{season_year}-12-31"),
    ]
    name = f"fba_inventory_planning_{ds}.txt"
    rows = write_table(out / name, PLANNING_HEADER, cols, encoding="utf-8-sig")
    return name, rows


def write_myi(out: Path, cat: Catalog, snap: Snapshot):
    S = len(cat.sku)
    reserved = snap.reserved_cust + snap.fc_processing
    wh = snap.available + snap.unfulfillable + reserved
    total = wh + snap.working + snap.in_shipped + snap.receiving
    E, Z = np.full(S, ""), np.full(S, "0")
    cols = [cat.sku, cat.fnsku, cat.asin, cat.name, np.full(S, "New"), fixed(cat.price, 2),
            np.full(S, "No"), E, np.full(S, "Yes"), ints(wh), ints(snap.available),
            ints(snap.unfulfillable), ints(reserved), ints(total), fixed(cat.volume, 2),
            ints(snap.working), ints(snap.in_shipped), ints(snap.receiving), Z, Z, Z, E]
    return write_table(out / F_MYI, MYI_HEADER, cols, encoding="cp1252")


def write_restock(out: Path, cat: Catalog, snap: Snapshot):
    S = len(cat.sku)
    rate = velocity(snap)
    inbound = snap.working + snap.in_shipped + snap.receiving
    reserved = snap.reserved_cust + snap.fc_processing
    qty, ship_in, _ = restock_reco(cat, snap, rate)
    ship_date = (pd.to_datetime(snap.date) + pd.to_timedelta(ship_in, unit="D")).strftime("%m/%d/%Y").values
    t30 = snap.shipped_t[30]
    cols = [np.full(S, "US"), cat.name, cat.fnsku, cat.sku, cat.asin, np.full(S, "New"),
            np.full(S, "unassigned"), np.full(S, ""), np.full(S, "USD"), fixed(cat.price, 2),
            fixed(t30 * cat.price, 2), ints(t30), ints(snap.available + reserved + inbound), ints(inbound),
            ints(snap.available), np.full(S, "0"), ints(snap.fc_processing), ints(snap.reserved_cust),
            ints(snap.unfulfillable), ints(snap.working), ints(snap.in_shipped), ints(snap.receiving),
            np.full(S, "Amazon"), dos_text(snap.available + reserved + inbound, rate),
            dos_text(snap.available + reserved, rate),
            np.where(snap.available <= 0, "out_of_stock", ""), ints(qty),
            np.where(qty > 0, ship_date, "none"),
            np.where(qty > 0, "Restock", "No action required"),
            np.char.add(fixed(cat.volume, 4).astype(str), " ft3")]
    return write_table(out / F_RESTOCK, RESTOCK_HEADER, cols, encoding="cp1252")


def write_orders(out: Path, rng, cat: Catalog, L: pd.DataFrame, epoch):
    n = len(L)
    s, qty = L["sku"].to_numpy(), L["qty"].to_numpy()
    st, mcf = L["status"].to_numpy(), L["mcf"].to_numpy()
    oid, mid, iid = L["order_id"].to_numpy(), L["merchant_id"].to_numpy(), L["item_id"].to_numpy()
    ts, upd = L["ts"].to_numpy(), L["updated"].to_numpy()
    pending = st == "Pending"
    line = cat.price[s] * qty
    dest = rng.choice(len(SHIP_TO), n, p=SHIP_WEIGHTS / SHIP_WEIGHTS.sum())
    city, state, zipc, tax = (np.array([x[i] for x in SHIP_TO], dtype=object) for i in range(4))
    tax = tax.astype(float)
    promo = (rng.random(n) < 0.05) & (st == "Shipped") & ~mcf
    disc = np.where(promo, np.round(line * 0.10, 2), 0.0)
    item_tax = np.round((line - disc) * tax[dest], 2)
    business = rng.random(n) < 0.03
    biz_price = business & (rng.random(n) < 0.5)
    ssl = rng.choice(["Standard", "Expedited", "SecondDay", "NextDay"], n, p=[0.8, 0.14, 0.04, 0.02])

    def make(lo, hi):
        k = hi - lo
        sl = slice(lo, hi)
        p, E, zero = pending[sl], np.full(k, ""), np.zeros(k)

        def m(x):  # money, empty on Pending lines
            return blank_where(p, money(x))
        ss, dd = s[sl], dest[sl]
        return [oid[sl], mid[sl], iso_utc(ts[sl], epoch), iso_utc(upd[sl], epoch), st[sl], iid[sl],
                np.full(k, "Amazon"), np.where(mcf[sl], "Non-Amazon", "Amazon.com"), E,
                np.where(mcf[sl], "Standard", ssl[sl]), cat.name[ss], cat.sku[ss], cat.asin[ss],
                np.where(p, "Unshipped", np.where(st[sl] == "Cancelled", "Cancelled", "Shipped")),
                ints(qty[sl]), blank_where(p, "USD"), m(line[sl]), m(item_tax[sl]),
                m(zero), m(zero), m(zero), m(zero), m(-disc[sl] + 0.0), m(zero),
                city[dd], state[dd], zipc[dd], np.full(k, "US"),
                np.where(promo[sl], "PLM-Coupon-10-Percent-Off", ""), E,
                np.where(business[sl], "true", "false"), E, np.where(biz_price[sl], "BusinessPrice", ""),
                np.full(k, "false")]
    return write_table(out / F_ORDERS, ORDERS_HEADER, make, encoding="utf-8-sig", gz=True, n_rows=n)


def write_ledger(out: Path, cat: Catalog, G: pd.DataFrame, dates: pd.DatetimeIndex):
    s, day, slot = G["sku"].to_numpy(), G["day"].to_numpy(), G["slot"].to_numpy()
    ev, ref, qty, disp = G["ev"].to_numpy(), G["ref"].to_numpy(), G["qty"].to_numpy(), G["disp"].to_numpy()
    reason, rec, unrec = G["reason"].to_numpy(), G["reconciled"].to_numpy(), G["unreconciled"].to_numpy()
    offs = us_pacific_offset(dates)
    dstr = np.asarray(dates.strftime("%m/%d/%Y"), dtype=object)
    dt = np.array([a + b for a, b in zip(dates.strftime("%Y-%m-%dT00:00:00"), offs)], dtype=object)

    def make(lo, hi):
        k, sl = hi - lo, slice(lo, hi)
        ss, dd = s[sl], day[sl]
        return [dstr[dd], cat.fnsku[ss], cat.asin[ss], cat.sku[ss], cat.name[ss], EV_NAMES[ev[sl]],
                ref[sl], ints(qty[sl]), cat.fcs[ss, slot[sl]], DISP_NAMES[disp[sl]], REASON_NAMES[reason[sl]],
                np.full(k, "US"), ints(rec[sl]), ints(unrec[sl]), dt[dd], np.full(k, "")]
    return write_table(out / F_LEDGER, LEDGER_HEADER, make, encoding="utf-8-sig", gz=True, n_rows=len(G))


def write_returns(out: Path, rng, cat: Catalog, R: pd.DataFrame, epoch):
    n = len(R)
    s = R["sku"].to_numpy()
    disp = DISP_NAMES[R["disp"].to_numpy()]
    reason = np.empty(n, dtype=object)
    for k, opts in RETURN_REASONS.items():
        m = disp == k
        reason[m] = rng.choice(opts, m.sum())
    ts = R["day"].to_numpy() * 86400 + time_of_day(rng, n)
    comments = np.array(RETURN_COMMENTS, dtype=object)[rng.integers(0, len(RETURN_COMMENTS), n)]
    lpn = unique_ints(rng, n, 10**8, 10**9).astype(str)
    cols = [iso_utc(ts, epoch), R["order_id"].to_numpy(), cat.sku[s], cat.asin[s], cat.fnsku[s],
            cat.name[s], np.full(n, "1"), cat.fcs[s, R["slot"].to_numpy()], disp, reason,
            np.full(n, "Unit returned to inventory"), np.char.add("LPNRR", lpn.astype(str)), comments]
    order = np.argsort(ts, kind="stable")
    return write_table(out / F_RETURNS, RETURNS_HEADER, [np.asarray(c)[order] for c in cols])


def util_surcharge(ratio):
    out = np.zeros_like(ratio)
    lo = 0.0
    for hi, sur in UTIL_BANDS:
        out = np.where((ratio > lo) & (ratio <= hi), sur, out)
        lo = hi
    return out


def write_storage(out: Path, cat: Catalog, sim: StockSim, dates: pd.DatetimeIndex, as_of: date):
    """One row per ASIN x FNSKU x FC x month (last 12 complete months inside the window)."""
    rows = []
    first_month = month_add(as_of.replace(day=1), -12)
    period = dates.to_period("M")
    for k in range(12):
        m0 = month_add(first_month, k)
        idx = np.flatnonzero(period == pd.Period(m0, "M"))
        if len(idx) == 0 or pd.Timestamp(m0) < dates[0]:
            continue  # month not fully simulated
        avg = sim.slot_onhand[:, :, idx].mean(axis=2)                   # (S, 3)
        lo = max(0, idx[-1] - 90)
        shipped_vol = sim.ship_vol[lo:idx[-1] + 1].mean()
        ratio = sim.inv_vol[lo:idx[-1] + 1].mean() / max(shipped_vol, 1e-9) / 7
        base = float(storage_base_rate(np.array([m0.month]))[0])
        sur = float(util_surcharge(np.array([ratio]))[0])
        s, sl = np.nonzero(np.round(avg, 2) > 0)
        a = np.round(avg[s, sl], 2)
        cust = np.round(sim.pending[s][:, idx].mean(1), 2) if len(s) else np.zeros(0)
        rows.append(pd.DataFrame({"s": s, "slot": sl, "avg": a, "month": m0.strftime("%Y-%m"),
                                  "base": base, "sur": sur, "ratio": round(ratio, 2), "cust": cust}))
    R = pd.concat(rows, ignore_index=True)
    s = R["s"].to_numpy()
    n = len(R)
    vol = cat.volume[s]
    tot_vol = np.round(R["avg"].to_numpy() * vol, 4)
    rate = R["base"].to_numpy() + R["sur"].to_numpy()
    dims = cat.dims[s]
    cols = [cat.asin[s], cat.fnsku[s], cat.name[s], cat.fcs[s, R["slot"].to_numpy()], np.full(n, "US"),
            fixed(dims[:, 0], 2), fixed(dims[:, 1], 2), fixed(dims[:, 2], 2), np.full(n, "inches"),
            fixed(cat.weight[s], 2), np.full(n, "pounds"), fixed(vol, 4), np.full(n, "cubic feet"),
            np.full(n, "Standard-Size"), fixed(R["avg"], 2), np.full(n, "0.00"), fixed(tot_vol, 4),
            R["month"].to_numpy(), fixed(rate, 2), np.full(n, "USD"), fixed(tot_vol * rate, 2),
            np.full(n, "--"), np.full(n, "N"), np.full(n, "N"), np.full(n, "0.00"), np.full(n, "--"),
            fixed(R["cust"], 2), fixed(R["ratio"], 2), np.full(n, "weeks"), fixed(R["base"], 2),
            fixed(R["sur"], 2)]
    return write_table(out / F_STORAGE, STORAGE_HEADER, cols, encoding="utf-8")


def fulfillment_fee(weight, large):
    """Illustrative FBA fulfilment fee per unit by shipping weight (lb) and size tier."""
    w = weight + 0.15                                   # packaging
    steps = np.array([0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0])
    std = np.array([3.22, 3.40, 3.58, 3.77, 4.52, 4.75, 5.00, 5.25])
    lrg = np.array([3.86, 4.08, 4.24, 4.75, 5.40, 5.69, 6.10, 6.39])
    i = np.minimum(np.searchsorted(steps, w), len(steps) - 1)
    fee = np.where(large, lrg[i], std[i])
    extra = np.ceil(np.maximum(w - 3.0, 0) / 0.5) * 0.16
    return np.round(fee + extra, 2)


def write_fee_preview(out: Path, cat: Catalog):
    S = len(cat.sku)
    referral = np.round(cat.price * 0.15, 2)
    ful = fulfillment_fee(cat.weight, cat.large)
    d = cat.dims
    girth = d[:, 0] + 2 * (d[:, 1] + d[:, 2])
    dash = np.full(S, "--")
    cols = [cat.sku, cat.fnsku, cat.asin, np.full(S, "US"), cat.name, cat.group, cat.brand,
            np.full(S, "AMAZON_NA"), fixed(cat.price, 2), fixed(cat.price, 2), fixed(d[:, 0], 2),
            fixed(d[:, 1], 2), fixed(d[:, 2], 2), fixed(girth, 2), np.full(S, "inches"),
            fixed(cat.weight + 0.15, 2), np.full(S, "pounds"),
            np.where(cat.large, "UsLargeStandardSize", "Standard"), np.full(S, "USD"),
            fixed(referral + ful, 2), fixed(referral, 2), np.full(S, "0.00"), dash, dash, dash,
            fixed(ful, 2), dash, dash, dash, dash, dash]
    return write_table(out / F_FEES, FEE_HEADER, cols, encoding="cp1252")


def cost_rows(rng, cat: Catalog):
    S = len(cat.sku)
    missing = set(rng.choice(S, size=min(3, S), replace=False).tolist())
    rows = []
    for i in range(S):
        rows.append([cat.sku[i], None if i in missing else float(cat.unit_cost[i]), "USD",
                     cat.supplier[i], int(cat.prod_lead[i]), int(cat.transit_lead[i]),
                     int(cat.moq[i]), int(cat.case_pack[i])])
    return rows


def write_costs(out: Path, rows):
    with open(out / F_COSTS_CSV, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COSTS_HEADER)
        for r in rows:
            w.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in r])
    with open(out / F_TEMPLATE, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COSTS_HEADER)
        w.writerow(["HK-KIT-0001", "6.40", "USD", "Ningbo Everbright Housewares Co., Ltd.", 30, 35, 300, 24])
        w.writerow(["PT-DOG-0002", "3.15", "USD", "Shenzhen PetJoy Products Ltd.", 21, 28, 500, 48])
        w.writerow(["SP-OUT-0003", "11.80", "USD", "Vietnam Pacific Outdoor Manufacturing JSC", 35, 30, 200, 12])
    write_xlsx(out / F_COSTS_XLSX, rows)


def write_xlsx(path: Path, rows):
    """XLSX via openpyxl, then normalised (fixed zip timestamps and document dates) so the
    bytes only depend on the content."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "product_costs"
    ws.append(COSTS_HEADER)
    for r in rows:
        ws.append(r)
    fixed_dt = datetime(2026, 1, 1)
    wb.properties.created = fixed_dt
    wb.properties.modified = fixed_dt
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":   # openpyxl stamps 'modified' with now()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2026-01-01T00:00:00Z\2", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)


# --------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------
def snapshot_dates(as_of: date, window_start: date):
    """The as-of date and the same day-of-month in each of the 5 previous months."""
    ds = [month_add(as_of, -k) for k in range(5, -1, -1)]
    return [d for d in ds if d >= window_start]


def generate(out_dir: Path, seed=42, skus=150, as_of=date(2026, 11, 15), days=548) -> dict:
    """Write the whole demo account into `out_dir`; returns the manifest (as written)."""
    return _generate(out_dir, seed, skus, as_of, days)[0]


def _generate(out_dir: Path, seed, skus, as_of, days):
    """generate() plus the row count of each file (for the CLI summary)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    D = int(days)
    as_of_idx = D - 1
    window_start = as_of - timedelta(days=D - 1)
    all_dates = pd.date_range(window_start, periods=D + 200, freq="D")   # + look-ahead for reorders
    dates = all_dates[:D]
    epoch = pd.Timestamp(window_start)

    cat = build_catalog(rng, skus)
    lam, launch, stop = demand_intensity(rng, cat, all_dates, D, as_of_idx)
    dem = draw_demand(rng, cat, lam, D)
    fit_order_terms(rng, cat, lam, D)
    sim = StockSim(rng, cat, lam, dem, launch, stop, D, as_of_idx).run()
    led, ship, rets, inflows, shp, rec = sim.tables()
    shp["sid_name"] = rand_codes(rng, len(shp), 8, prefix="FBA1")
    L = build_orders(rng, cat, sim, as_of_idx)
    R = attach_returns(rng, rets, L)
    G = build_ledger(rng, cat, sim, led, ship, R, L, shp, window_start, as_of_idx)

    files, rows = {}, {}
    snap = None
    for sd in snapshot_dates(as_of, window_start):
        snap = snapshot_state(rng, cat, sim, inflows, shp, rec, (sd - window_start).days, window_start)
        name, n = write_planning(out, cat, sim, snap, rng)
        files[name], rows[name] = REPORT_TYPES["planning"], n
    # MYI and restock reuse the as-of snapshot so all three agree
    rows[F_MYI] = write_myi(out, cat, snap)
    rows[F_RESTOCK] = write_restock(out, cat, snap)
    rows[F_ORDERS] = write_orders(out, rng, cat, L, epoch)
    rows[F_LEDGER] = write_ledger(out, cat, G, dates)
    rows[F_STORAGE] = write_storage(out, cat, sim, dates, as_of)
    rows[F_RETURNS] = write_returns(out, rng, cat, R, epoch)
    rows[F_FEES] = write_fee_preview(out, cat)
    costs = cost_rows(rng, cat)
    write_costs(out, costs)
    rows[F_COSTS_CSV] = rows[F_COSTS_XLSX] = len(costs)
    rows[F_TEMPLATE] = 3
    for f, key in ((F_MYI, "myi"), (F_RESTOCK, "restock"), (F_ORDERS, "orders"), (F_LEDGER, "ledger"),
                   (F_STORAGE, "storage"), (F_RETURNS, "returns"), (F_FEES, "fees"),
                   (F_COSTS_CSV, "costs"), (F_COSTS_XLSX, "costs")):
        files[f] = REPORT_TYPES[key]

    manifest = {
        "as_of": as_of.isoformat(), "seed": seed, "skus": skus, "days": D,
        "window_start": window_start.isoformat(),
        "files": files,
        "profiles": {str(k): str(v) for k, v in zip(cat.sku, cat.profile)},
        # ledger detail starts at window_start: balance(date) = opening + sum(Quantity up to date)
        "ledger_opening_on_hand": {str(k): int(v) for k, v in zip(cat.sku, sim.opening)},
        "snapshot_dates": [d.isoformat() for d in snapshot_dates(as_of, window_start)],
    }
    with open(out / "manifest.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(manifest, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return manifest, rows


# --------------------------------------------------------------------------------------
# Self-check: re-read the files and test formats and cross-report coherence
# --------------------------------------------------------------------------------------
EXPECTED_COLS = {"planning": 97, F_MYI: 22, F_RESTOCK: 30, F_ORDERS: 34, F_LEDGER: 16,
                 F_STORAGE: 31, F_RETURNS: 13, F_FEES: 31}
HEADERS = {F_MYI: MYI_HEADER, F_RESTOCK: RESTOCK_HEADER, F_ORDERS: ORDERS_HEADER,
           F_LEDGER: LEDGER_HEADER, F_STORAGE: STORAGE_HEADER, F_RETURNS: RETURNS_HEADER,
           F_FEES: FEE_HEADER}
ENCODINGS = {F_MYI: "cp1252", F_RESTOCK: "cp1252", F_ORDERS: "utf-8-sig", F_LEDGER: "utf-8-sig",
             F_STORAGE: "utf-8", F_RETURNS: "utf-8", F_FEES: "cp1252"}


def _raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _read(path: Path, enc: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(_raw(path).decode(enc)), sep="\t", dtype=str,
                       keep_default_na=False, quoting=csv.QUOTE_NONE)


def verify(out_dir: Path) -> list[str]:
    """Return a list of 'OK ...' / 'FAIL ...' lines."""
    out = Path(out_dir)
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    res = []

    def check(ok, msg):
        res.append(("OK   " if ok else "FAIL ") + msg)

    planning = sorted(out.glob("fba_inventory_planning_*.txt"))
    # -- formats ---------------------------------------------------------------------
    for p in planning + [out / f for f in HEADERS]:
        enc = "utf-8-sig" if p in planning else ENCODINGS[p.name]
        raw = _raw(p)
        bom = raw.startswith(b"\xef\xbb\xbf")
        check(bom == (enc == "utf-8-sig"), f"{p.name}: BOM {'present' if bom else 'absent'} ({enc})")
        if enc == "cp1252":
            hi = any(b >= 0x80 for b in raw)
            try:
                raw.decode("utf-8")
                utf8 = True
            except UnicodeDecodeError:
                utf8 = False
            check(hi and not utf8, f"{p.name}: contains non-ASCII cp1252 bytes (not UTF-8)")
        text = raw.decode(enc)
        lines = text.split("\n")
        check(lines[-1] == "" and "\r" not in text, f"{p.name}: '\\n' line endings")
        header = lines[0].split("\t")
        want = PLANNING_HEADER if p in planning else HEADERS[p.name]
        n_want = EXPECTED_COLS["planning" if p in planning else p.name]
        widths = {len(x.split("\t")) for x in lines[:-1]}
        check(header == want and len(header) == n_want and widths == {n_want},
              f"{p.name}: header matches spec, {n_want} columns on every line")
    # -- load ------------------------------------------------------------------------
    start = date.fromisoformat(man["window_start"])
    P = {date.fromisoformat(p.stem.split("_")[-1]): _read(p, "utf-8-sig") for p in planning}
    O = _read(out / F_ORDERS, "utf-8-sig")
    Lg = _read(out / F_LEDGER, "utf-8-sig")
    Rt = _read(out / F_RETURNS, "utf-8")
    M = _read(out / F_MYI, "cp1252")
    Rs = _read(out / F_RESTOCK, "cp1252")
    St = _read(out / F_STORAGE, "utf-8")
    Fp = _read(out / F_FEES, "cp1252")
    Lg["d"] = pd.to_datetime(Lg["Date"], format="%m/%d/%Y").dt.date
    Lg["q"] = Lg["Quantity"].astype(int)
    # -- ledger balance vs planning snapshots -------------------------------------------
    opening = pd.Series(man["ledger_opening_on_hand"])
    for d, df in sorted(P.items()):
        bal = opening.add(Lg[Lg["d"] <= d].groupby("MSKU")["q"].sum(), fill_value=0)
        onhand = (df["available"].astype(int) + df["Total Reserved Quantity"].astype(int)
                  + df["unfulfillable-quantity"].astype(int))
        onhand.index = df["sku"]
        diff = (bal.reindex(onhand.index, fill_value=0) - onhand).abs()
        check(diff.max() == 0, f"ledger opening + events = on hand on {d} ({len(df)} SKUs)")
    # -- orders vs ledger shipments -------------------------------------------------------
    O["d"] = O["purchase-date"].str[:10]
    sh = O[O["order-status"] == "Shipped"].assign(q=lambda x: x["quantity"].astype(int))
    a = sh.groupby(["sku", "d"])["q"].sum()
    ls = Lg[Lg["Event Type"] == "Shipments"].assign(
        d=lambda x: pd.to_datetime(x["Date"], format="%m/%d/%Y").dt.strftime("%Y-%m-%d"))
    b = -ls.groupby(["MSKU", "d"])["q"].sum()
    b.index.names = ["sku", "d"]
    j = pd.concat([a, b], axis=1).fillna(0)
    check((j.iloc[:, 0] == j.iloc[:, 1]).all(),
          f"shipped order units = ledger Shipments per SKU and day ({int(a.sum())} units)")
    check(set(ls["Reference ID"]) <= set(sh["amazon-order-id"]), "ledger Shipments reference real shipped orders")
    pend = O[O["order-status"] == "Pending"]
    check((pend["currency"] == "").all() and (pend["item-price"] == "").all(),
          f"{len(pend)} Pending lines have empty currency/item-price")
    check(O["order-item-id"].str.fullmatch(r"\d{14}").all() and O["order-item-id"].is_unique,
          "order-item-id: unique, 14 digits")
    check(O["purchase-date"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00").all(),
          "purchase-date ISO-8601 with +00:00")
    # -- returns ----------------------------------------------------------------------------
    Rt["d"] = Rt["return-date"].str[:10]
    rr = Rt.groupby(["sku", "d", "detailed-disposition"]).size()
    lr = Lg[Lg["Event Type"] == "CustomerReturns"].assign(
        d=lambda x: pd.to_datetime(x["Date"], format="%m/%d/%Y").dt.strftime("%Y-%m-%d"))
    lrr = lr.groupby(["MSKU", "d", "Disposition"])["q"].sum()
    lrr.index.names = rr.index.names
    j = pd.concat([rr, lrr], axis=1).fillna(0)
    check((j.iloc[:, 0] == j.iloc[:, 1]).all(), f"returns report = ledger CustomerReturns ({len(Rt)} units)")
    first = sh.groupby(["amazon-order-id", "sku"])["purchase-date"].min()
    key = pd.MultiIndex.from_arrays([Rt["order-id"], Rt["sku"]])
    pdate = first.reindex(key).to_numpy()
    ok = pd.notna(pdate) & (pdate.astype(str) < Rt["return-date"].to_numpy())
    check(ok.all(), "every return points to an earlier shipped order line of the same SKU")
    units = sh.groupby(["amazon-order-id", "sku"])["q"].sum()
    used = Rt.groupby(["order-id", "sku"]).size()
    check((used <= units.reindex(used.index).fillna(0)).all(), "never more returned units than shipped per order line")
    # -- planning internals -------------------------------------------------------------------
    for d, df in sorted(P.items()):
        g = df.set_index("sku").apply(pd.to_numeric, errors="coerce")
        c0 = g["inv-age-0-to-90-days"] == g[["inv-age-0-to-30-days", "inv-age-31-to-60-days", "inv-age-61-to-90-days"]].sum(axis=1)
        c1 = (g["inv-age-181-to-270-days"] + g["inv-age-271-to-365-days"]
              == g["inv-age-181-to-330-days"] + g["inv-age-331-to-365-days"])
        coarse = g[["inv-age-0-to-90-days", "inv-age-91-to-180-days", "inv-age-181-to-270-days",
                    "inv-age-271-to-365-days", "inv-age-366-to-455-days", "inv-age-456-plus-days"]].sum(axis=1)
        c2 = coarse == g["available"] + g["Total Reserved Quantity"]
        ais = g[[c for c in g.columns if c.startswith("quantity-to-be-charged-ais")]]
        c3 = (ais.iloc[:, :6].sum(axis=1) == g["inv-age-181-to-270-days"] + g["inv-age-271-to-365-days"]) & \
             (ais.iloc[:, 6] == g["inv-age-366-to-455-days"]) & (ais.iloc[:, 7] == g["inv-age-456-plus-days"])
        c4 = g["inbound-quantity"] == g[["inbound-working", "inbound-shipped", "inbound-received"]].sum(axis=1)
        check(c0.all() and c1.all() and c2.all() and c3.all() and c4.all(),
              f"planning {d}: fine ages split coarse ages; coarse total = available + reserved; "
              "AIS quantities = age bands; inbound sums")
        t30 = (sh[(sh["d"] > (d - timedelta(days=30)).isoformat()) & (sh["d"] <= d.isoformat())]
               .assign(v=lambda x: x["item-price"].astype(float)).groupby("sku")[["q", "v"]].sum())
        t30 = t30.reindex(g.index, fill_value=0)
        check((t30["q"] == g["units-shipped-t30"]).all()
              and np.allclose(t30["v"], g["sales-shipped-last-30-days"], atol=0.02),
              f"planning {d}: units-shipped-t30 / sales-shipped-last-30-days = shipped orders")
    # -- MYI / restock / fees / storage -------------------------------------------------
    m = M.set_index("sku").apply(pd.to_numeric, errors="coerce")
    check(((m["afn-warehouse-quantity"] == m["afn-fulfillable-quantity"] + m["afn-unsellable-quantity"]
            + m["afn-reserved-quantity"]) & (m["afn-total-quantity"] == m["afn-warehouse-quantity"]
            + m["afn-inbound-working-quantity"] + m["afn-inbound-shipped-quantity"]
            + m["afn-inbound-receiving-quantity"])).all(), "MYI warehouse / total identities")
    last = P[max(P)].set_index("sku")
    check((m["afn-fulfillable-quantity"] == last["available"].astype(int)).all()
          and (Rs.set_index("Merchant SKU")["Available"].astype(int) == last["available"].astype(int)).all(),
          "MYI and restock available = as-of planning snapshot")
    check(Rs["Recommended ship date"].str.fullmatch(r"none|\d\d/\d\d/\d{4}").all()
          and Rs["Days of Supply at Amazon Fulfillment Network"].str.fullmatch(r"\d+|365\+").all(),
          "restock: ship date none|MM/DD/YYYY, days of supply int|365+")
    f = Fp.apply(pd.to_numeric, errors="coerce")
    check(np.allclose(f["estimated-fee-total"], f["estimated-referral-fee-per-unit"]
                      + f["estimated-variable-closing-fee"] + f["expected-fulfillment-fee-per-unit"], atol=0.005),
          "fee preview total = referral + closing + fulfillment")
    s = St.apply(pd.to_numeric, errors="coerce")
    check(np.allclose(s["estimated_monthly_storage_fee"], s["estimated_total_item_volume"] * s["storage_rate"], atol=0.006)
          and np.allclose(s["storage_rate"], s["base_rate"] + s["utilization_surcharge_rate"]),
          f"storage fees: fee = volume x rate ({St['month_of_charge'].nunique()} months)")
    # -- behaviour profiles -----------------------------------------------------------
    prof = pd.Series(man["profiles"])
    dead = prof[prof == "dead_stock"].index
    check(((last.loc[dead, "inv-age-456-plus-days"].astype(int) > 0)
           & (last.loc[dead, "inv-age-366-to-455-days"].astype(int) > 0)
           & (last.loc[dead, "units-shipped-t90"].astype(int) == 0)).all(),
          f"dead stock ({len(dead)}): units in 366-455 and 456+ buckets, no sales in 90 days")
    sellable = Lg[Lg["Disposition"] == "SELLABLE"].groupby(["MSKU", "d"])["q"].sum().unstack(fill_value=0)
    all_days = pd.date_range(start, max(P), freq="D").date
    sellable = sellable.reindex(columns=all_days, fill_value=0).cumsum(axis=1)
    sellable = sellable.add(opening.reindex(sellable.index).fillna(0), axis=0)
    so = prof[prof == "stockout"].index
    recent = sellable.loc[so].iloc[:, -180:] <= 0
    runs = recent.apply(lambda r: max((len(x) for x in "".join("1" if v else "0" for v in r).split("0")), default=0), axis=1)
    check((runs >= 14).all(), f"stockout SKUs ({len(so)}): zero-stock runs in last 180 days, "
                              f"min {runs.min()} / max {runs.max()} days")
    check((sellable >= 0).all().all(), "sellable ledger balance never negative")
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="sample_data", type=Path)
    ap.add_argument("--seed", default=42, type=int)
    ap.add_argument("--skus", default=150, type=int)
    ap.add_argument("--as-of", default="2026-11-15", type=date.fromisoformat)
    ap.add_argument("--days", default=548, type=int)
    ap.add_argument("--verify", action="store_true", help="re-read the files and run coherence checks")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    man, rows = _generate(a.out, a.seed, a.skus, a.as_of, a.days)
    dt = time.perf_counter() - t0
    total = 0
    for name, n in sorted(rows.items()):
        size = (a.out / name).stat().st_size
        total += size
        print(f"{name:48s} {n:>9,d} rows {size / 1024:>9.1f} KiB")
    total += (a.out / "manifest.json").stat().st_size
    print(f"total {total / 1024 / 1024:.2f} MiB in {a.out} - generated in {dt:.1f} s")
    if a.verify:
        t1 = time.perf_counter()
        res = verify(a.out)
        print("\n".join(res))
        print(f"verify: {sum(r.startswith('OK') for r in res)}/{len(res)} OK in {time.perf_counter() - t1:.1f} s")
        return 0 if all(r.startswith("OK") for r in res) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
