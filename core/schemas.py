"""The only place that knows Amazon's raw report headers.

Each report the app reads is a ``ReportSchema``: its Amazon ``reportType`` name, the DuckDB table it
lands in, its columns (canonical name, value type, and every raw header spelling seen in the wild),
the columns whose presence identifies it, and the natural key by which a newer file replaces rows
of an older one. Header spellings come from ../shared/amazon_reports.md; the section is named on
each schema.

Headers are matched after ``normalise_header``: BOM and surrounding space stripped, lower case, and
every space, ``_`` and ``-`` (and en dash) removed, so ``Event Type``, ``event_type``,
``event-type`` and ``EventType`` are one name. Matching is never by position or by file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.values import VALUE_TYPES


def normalise_header(name: str) -> str:
    """Fold a raw header name to the form used for matching.

    >>> normalise_header('\\ufeffEvent Type') == normalise_header('event_type') == 'eventtype'
    True
    """
    text = name.replace("\ufeff", "").strip().lower()
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"[\s_\-]+", "", text)


@dataclass(frozen=True)
class Column:
    """One canonical column: its name in our tables, its value type and its raw spellings."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in VALUE_TYPES:
            raise ValueError(f"column {self.name}: unknown value type {self.type!r}")

    @property
    def matches(self) -> frozenset[str]:
        """Normalised header names that map to this column (its own name included)."""
        return frozenset(normalise_header(n) for n in (self.name, *self.aliases))


def col(name: str, type_: str = "text", *aliases: str) -> Column:
    return Column(name, type_, tuple(aliases))


@dataclass(frozen=True)
class ReportSchema:
    """How one Amazon report (or the seller's cost sheet) is recognised and stored.

    ``required``: canonical columns that must all be present for a header to be this report.
    ``key``: the natural key; a newer file's row replaces a current row with the same key.
    ``loose_key``: key columns that older header versions lack; a missing value matches any value
    (an orders file from before ``order-item-id`` existed still overlaps a newer one).
    ``dedupe``: keep only the last row per key within one file (order lines can repeat). When false,
    repeated keys are distinct events and are numbered in file order (``key_occurrence``), so the
    second identical ledger event of a file is kept and replaces the second of an older file.
    ``snapshot_from_load``: the report carries no date of its own (Manage Inventory, Restock, fee
    preview); its ``snapshot_date`` is given at load (``core.report_dates``: the file name, the
    snapshot loaded with it, or the seller).
    ``skip_if_missing``: rows where this column is missing are dropped with a warning (Amazon writes
    storage-fee rows with ``--`` as the month).
    ``not_empty``: required columns of the key (and the date column) must have a value in every row;
    other key columns (a ledger event's Reason) may be empty.
    ``marketplace_column``: the column naming the marketplace (a country code or an Amazon domain),
    whose date convention settles slash dates that cannot tell day from month (core/report_dates.py).
    ``same_day``: pairs of (slash-date column, ISO timestamp column) that write the same local day in
    every row (the ledger's Date and Date and Time): the timestamp tells how the slash date reads.
    """

    report_type: str
    title: str
    table: str
    columns: tuple[Column, ...]
    required: tuple[str, ...]
    key: tuple[str, ...]
    date_column: str | None = None
    loose_key: tuple[str, ...] = ()
    dedupe: bool = True
    snapshot_from_load: bool = False
    skip_if_missing: tuple[str, ...] = ()
    also_known_as: tuple[str, ...] = ()
    marketplace_column: str | None = None
    same_day: tuple[tuple[str, str], ...] = ()
    source: str = ""
    _index: dict = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.report_type}: duplicate canonical column")
        extra = (*([self.marketplace_column] if self.marketplace_column else []),
                 *(name for pair in self.same_day for name in pair))
        for name in (*self.required, *self.key, *self.loose_key, *self.skip_if_missing, *extra):
            if name not in names:
                raise ValueError(f"{self.report_type}: {name} is not a column")
        index: dict[str, str] = {}
        for column in self.columns:
            for match in column.matches:
                if index.setdefault(match, column.name) != column.name:
                    raise ValueError(f"{self.report_type}: header {match!r} maps to two columns")
        object.__setattr__(self, "_index", index)

    @property
    def not_empty(self) -> tuple[str, ...]:
        identity = (*self.key, self.date_column)
        return tuple(c for c in self.required if c in identity and c not in self.skip_if_missing)

    def canonical_for(self, raw_header: str) -> str | None:
        """The canonical column a raw header name maps to, or None for an unknown column."""
        return self._index.get(normalise_header(raw_header))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def signature(self) -> frozenset[str]:
        """Every normalised header name this report is known to carry."""
        return frozenset(self._index)

    def display_name(self, canonical: str) -> str:
        """Amazon's usual spelling of a canonical column, for messages."""
        column = self.column(canonical)
        return column.aliases[0] if column.aliases else column.name.replace("_", "-")


# --- §1 FBA Inventory / Manage Inventory Health: 2023 65-col, 2026 97-col and 99-col headers -----
_AIS_BANDS = ("181-210", "211-240", "241-270", "271-300", "301-330", "331-365", "366-455", "456-plus",
              "365-plus")

PLANNING = ReportSchema(
    report_type="GET_FBA_INVENTORY_PLANNING_DATA",
    title="FBA Inventory (inventory health / planning)",
    table="inventory_planning",
    source="amazon_reports.md §1a-1c",
    required=("snapshot_date", "sku", "available", "inv_age_0_to_90_days"),
    key=("snapshot_date", "sku", "marketplace"),
    date_column="snapshot_date",
    marketplace_column="marketplace",
    columns=(
        col("snapshot_date", "date"), col("sku"), col("fnsku"), col("asin"), col("product_name"),
        col("condition"), col("available", "int"), col("fc_transfer", "int"),
        col("pending_removal_quantity", "int"),
        col("inv_age_0_to_90_days", "int"), col("inv_age_91_to_180_days", "int"),
        col("inv_age_181_to_270_days", "int"), col("inv_age_271_to_365_days", "int"),
        col("inv_age_366_to_455_days", "int"), col("inv_age_456_plus_days", "int"),
        col("inv_age_365_plus_days", "int"),
        col("inv_age_0_to_30_days", "int"), col("inv_age_31_to_60_days", "int"),
        col("inv_age_61_to_90_days", "int"), col("inv_age_181_to_330_days", "int"),
        col("inv_age_331_to_365_days", "int"),
        col("currency"),
        col("units_shipped_t7", "int"), col("units_shipped_t30", "int"),
        col("units_shipped_t60", "int"), col("units_shipped_t90", "int"),
        col("alert"), col("your_price", "money"), col("sales_price", "money"),
        col("lowest_price_new_plus_shipping", "money"), col("lowest_price_used", "money"),
        col("recommended_action"),
        col("healthy_inventory_level", "int", "healthy-inventory-level", "DEPRECATED healthy-inventory-level"),
        col("recommended_sales_price", "money"), col("recommended_sale_duration_days", "int"),
        col("recommended_removal_quantity", "int"),
        col("estimated_cost_savings_of_recommended_actions", "money"),
        col("sell_through", "number"), col("item_volume", "number"), col("volume_unit_measurement"),
        col("storage_type"), col("storage_volume", "number"), col("marketplace"), col("product_group"),
        col("sales_rank", "int"), col("days_of_supply", "days"), col("estimated_excess_quantity", "int"),
        col("weeks_of_cover_t30", "number"), col("weeks_of_cover_t90", "number"),
        col("featuredoffer_price", "money"),
        col("sales_shipped_last_7_days", "money"), col("sales_shipped_last_30_days", "money"),
        col("sales_shipped_last_60_days", "money"), col("sales_shipped_last_90_days", "money"),
        col("estimated_storage_cost_next_month", "money"),
        col("inbound_quantity", "int"), col("inbound_working", "int"), col("inbound_shipped", "int"),
        col("inbound_received", "int"), col("no_sale_last_6_months"),
        col("total_reserved_quantity", "int", "Total Reserved Quantity", "reserved-quantity"),
        col("unfulfillable_quantity", "int"),
        *(c for band in _AIS_BANDS for c in (
            col(f"qty_charged_ais_{band.replace('-', '_')}_days", "int",
                f"quantity-to-be-charged-ais-{band}-days"),
            col(f"estimated_ais_{band.replace('-', '_')}_days", "money", f"estimated-ais-{band}-days"),
        )),
        col("qty_to_be_charged_ltsf_9_mo", "int"), col("projected_ltsf_9_mo", "money"),
        col("qty_to_be_charged_ltsf_11_mo", "int"), col("projected_ltsf_11_mo", "money"),
        col("qty_to_be_charged_ltsf_12_mo", "int"), col("estimated_ltsf_next_charge", "money"),
        col("historical_days_of_supply", "number"), col("fba_minimum_inventory_level", "number"),
        col("fba_inventory_level_health_status"),
        col("recommended_ship_in_quantity", "int", "Recommended ship-in quantity"),
        col("recommended_ship_in_date", "date", "Recommended ship-in date"),
        col("historical_days_of_supply_updated", "date", "Last updated date for Historical Days of Supply"),
        col("low_inventory_fee_exempt", "bool", "Exempted from Low-Inventory-Level fee?",
            "Exempted from Low-Inventory cost coverage fee?"),
        col("low_inventory_fee_applied", "bool", "Low-Inventory-Level fee applied in current week?",
            "Low-Inventory cost coverage fee applied in current week?"),
        col("short_term_historical_days_of_supply", "number", "Short term historical days of supply"),
        col("long_term_historical_days_of_supply", "number", "Long term historical days of supply"),
        col("inventory_age_snapshot_date", "date", "Inventory age snapshot date"),
        col("inventory_supply_at_fba", "int", "Inventory Supply at FBA"),
        col("reserved_fc_transfer", "int", "Reserved FC Transfer"),
        col("reserved_fc_processing", "int", "Reserved FC Processing"),
        col("reserved_customer_order", "int", "Reserved Customer Order"),
        col("reserved_staging", "int", "Reserved Staging"),
        col("total_days_of_supply", "days", "Total Days of Supply (including units from open shipments)"),
        col("supplier"), col("is_seasonal_in_next_3_months", "bool"), col("season_name"),
        col("season_start_date", "date"), col("season_end_date", "date"),
        col("fulfillment_service_and_programs", "text", "Fulfillment Service and Programs"),
    ),
)

# --- §2 Manage Inventory (MYI): 18-, 21- and 22-column headers ------------------------------------
MANAGE_INVENTORY = ReportSchema(
    report_type="GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    also_known_as=("GET_FBA_MYI_ALL_INVENTORY_DATA",),
    title="Manage FBA Inventory",
    table="manage_inventory",
    source="amazon_reports.md §2",
    required=("sku", "afn_fulfillable_quantity", "afn_warehouse_quantity"),
    key=("snapshot_date", "sku"),
    loose_key=("store",),
    date_column="snapshot_date",
    snapshot_from_load=True,
    columns=(
        col("snapshot_date", "date"), col("sku"), col("fnsku"), col("asin"), col("product_name"),
        col("condition"), col("your_price", "money"), col("mfn_listing_exists", "bool"),
        col("mfn_fulfillable_quantity", "int"), col("afn_listing_exists", "bool"),
        col("afn_warehouse_quantity", "int"), col("afn_fulfillable_quantity", "int"),
        col("afn_unsellable_quantity", "int"), col("afn_reserved_quantity", "int"),
        col("afn_total_quantity", "int"), col("per_unit_volume", "number"),
        col("afn_inbound_working_quantity", "int"), col("afn_inbound_shipped_quantity", "int"),
        col("afn_inbound_receiving_quantity", "int"), col("afn_researching_quantity", "int"),
        col("afn_reserved_future_supply", "int"), col("afn_future_supply_buyable", "int"),
        col("store"),
    ),
)

# --- §3 Restock Inventory: Title Case headers ----------------------------------------------------
RESTOCK = ReportSchema(
    report_type="GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT",
    title="Restock Inventory recommendations",
    table="restock",
    source="amazon_reports.md §3",
    required=("sku", "recommended_replenishment_qty", "available"),
    key=("snapshot_date", "sku"),
    loose_key=("country",),
    marketplace_column="country",
    date_column="snapshot_date",
    snapshot_from_load=True,
    columns=(
        col("snapshot_date", "date"), col("country", "text", "Country"), col("product_name", "text", "Product Name"),
        col("fnsku", "text", "FNSKU"), col("sku", "text", "Merchant SKU"), col("asin", "text", "ASIN"),
        col("condition", "text", "Condition"), col("supplier", "text", "Supplier"),
        col("supplier_part_no", "text", "Supplier part no."), col("currency", "text", "Currency code"),
        col("price", "money", "Price"), col("sales_last_30_days", "money", "Sales last 30 days"),
        col("units_sold_last_30_days", "int", "Units Sold Last 30 Days"), col("total_units", "int", "Total Units"),
        col("inbound", "int", "Inbound"), col("available", "int", "Available"),
        col("fc_transfer", "int", "FC transfer"), col("fc_processing", "int", "FC Processing"),
        col("customer_order", "int", "Customer Order"), col("unfulfillable", "int", "Unfulfillable"),
        col("working", "int", "Working"), col("shipped", "int", "Shipped"), col("receiving", "int", "Receiving"),
        col("fulfilled_by", "text", "Fulfilled by"),
        col("total_days_of_supply", "days", "Total Days of Supply (including units from open shipments)"),
        col("days_of_supply_at_afn", "days", "Days of Supply at Amazon Fulfillment Network"),
        col("alert", "text", "Alert"), col("recommended_replenishment_qty", "int", "Recommended replenishment qty"),
        col("recommended_ship_date", "date", "Recommended ship date"),
        col("recommended_action", "text", "Recommended action"), col("unit_storage_size", "volume", "Unit storage size"),
    ),
)

# --- §4a All Orders by order date: 31- to 34-column headers (order-item-id since 2026-05-28) ------
_MONEY_LINE = ("item_price", "item_tax", "shipping_price", "shipping_tax", "gift_wrap_price",
               "gift_wrap_tax", "item_promotion_discount", "ship_promotion_discount")

ORDERS = ReportSchema(
    report_type="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    title="All Orders (by order date)",
    table="orders",
    source="amazon_reports.md §4a",
    required=("amazon_order_id", "purchase_date", "order_status", "sku", "quantity"),
    key=("amazon_order_id", "sku"),
    loose_key=("order_item_id",),
    date_column="purchase_date",
    marketplace_column="sales_channel",
    columns=(
        col("amazon_order_id"), col("merchant_order_id"), col("purchase_date", "timestamp"),
        col("last_updated_date", "timestamp"), col("order_status"), col("order_item_id"),
        col("fulfillment_channel"), col("sales_channel"), col("order_channel"), col("url"),
        col("ship_service_level"), col("product_name"), col("sku"), col("asin"), col("item_status"),
        col("quantity", "int"), col("currency"), *(col(m, "money") for m in _MONEY_LINE),
        col("ship_city"), col("ship_state"), col("ship_postal_code"), col("ship_country"),
        col("promotion_ids"), col("cpf"), col("is_business_order", "bool"),
        col("purchase_order_number"), col("price_designation"),
        col("signature_confirmation_recommended", "bool"), col("is_sold_by_ab", "bool"),
    ),
)

# --- §4b Amazon Fulfilled Shipments: 48 columns ------------------------------------------------------
SHIPMENTS = ReportSchema(
    report_type="GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
    title="Amazon Fulfilled Shipments",
    table="shipments",
    source="amazon_reports.md §4b",
    required=("amazon_order_id", "shipment_id", "shipment_item_id", "sku", "quantity_shipped",
              "shipment_date"),
    key=("amazon_order_id", "sku", "shipment_item_id"),
    date_column="shipment_date",
    marketplace_column="sales_channel",
    columns=(
        col("amazon_order_id"), col("merchant_order_id"), col("shipment_id"), col("shipment_item_id"),
        col("amazon_order_item_id"), col("merchant_order_item_id"),
        col("purchase_date", "timestamp"), col("payments_date", "timestamp"),
        col("shipment_date", "timestamp"), col("reporting_date", "timestamp"),
        col("buyer_email"), col("buyer_name"), col("buyer_phone_number"), col("sku"),
        col("product_name"), col("quantity_shipped", "int"), col("currency"),
        *(col(m, "money") for m in _MONEY_LINE),
        col("ship_service_level"), col("recipient_name"), col("ship_address_1"), col("ship_address_2"),
        col("ship_address_3"), col("ship_city"), col("ship_state"), col("ship_postal_code"),
        col("ship_country"), col("ship_phone_number"), col("bill_address_1"), col("bill_address_2"),
        col("bill_address_3"), col("bill_city"), col("bill_state"), col("bill_postal_code"),
        col("bill_country"), col("carrier"), col("tracking_number"),
        col("estimated_arrival_date", "timestamp"), col("fulfillment_center_id"),
        col("fulfillment_channel"), col("sales_channel"),
    ),
)

# --- §5 Inventory Ledger: Title Case with spaces, CamelCase, snake_case ---------------------------
LEDGER_DETAIL = ReportSchema(
    report_type="GET_LEDGER_DETAIL_VIEW_DATA",
    title="Inventory Ledger (detailed view)",
    table="ledger_detail",
    source="amazon_reports.md §5",
    required=("date", "fnsku", "event_type", "quantity"),
    # An event's full identity; reconciled/unreconciled quantities are not part of it: they change as
    # Amazon settles a Lost or Damaged event, and the newer file's figures should win.
    key=("date", "fnsku", "sku", "event_type", "reference_id", "quantity", "fulfillment_center",
         "disposition", "reason", "country"),
    loose_key=("date_and_time", "store"),
    dedupe=False,
    date_column="date",
    marketplace_column="country",
    same_day=(("date", "date_and_time"),),
    columns=(
        col("date", "date", "Date"), col("fnsku", "text", "FNSKU"), col("asin", "text", "ASIN"),
        col("sku", "text", "MSKU"), col("product_name", "text", "Title"), col("event_type", "text", "Event Type"),
        col("reference_id", "text", "Reference ID"), col("quantity", "int", "Quantity"),
        col("fulfillment_center", "text", "Fulfillment Center"), col("disposition", "text", "Disposition"),
        col("reason", "text", "Reason"), col("country", "text", "Country"),
        col("reconciled_quantity", "int", "Reconciled Quantity"),
        col("unreconciled_quantity", "int", "Unreconciled Quantity"),
        col("date_and_time", "timestamp", "Date and Time"), col("store"),
    ),
)

LEDGER_SUMMARY = ReportSchema(
    report_type="GET_LEDGER_SUMMARY_VIEW_DATA",
    title="Inventory Ledger (summary view)",
    table="ledger_summary",
    source="amazon_reports.md §5",
    required=("date", "fnsku", "starting_warehouse_balance", "ending_warehouse_balance"),
    key=("date", "fnsku", "sku", "disposition"),
    loose_key=("location", "store"),
    date_column="date",
    marketplace_column="location",  # the country when aggregated by country, else an FC code (no hint)
    columns=(
        col("date", "date", "Date"), col("fnsku", "text", "FNSKU"), col("asin", "text", "ASIN"),
        col("sku", "text", "MSKU"), col("product_name", "text", "Title"), col("disposition", "text", "Disposition"),
        col("starting_warehouse_balance", "int", "Starting Warehouse Balance"), col("in_transit_between_warehouses", "int"),
        col("receipts", "int"), col("customer_shipments", "int"), col("customer_returns", "int"),
        col("vendor_returns", "int"),
        col("warehouse_transfer_in_out", "int", "Warehouse Transfer In/Out"),
        col("found", "int"), col("lost", "int"), col("damaged", "int"), col("disposed", "int"),
        col("other_events", "int"), col("ending_warehouse_balance", "int", "Ending Warehouse Balance"),
        col("unknown_events", "int"), col("location"), col("store"),
    ),
)

# --- §6a Monthly storage fees: snake_case (kebab-case in the help page) ---------------------------
STORAGE_FEES = ReportSchema(
    report_type="GET_FBA_STORAGE_FEE_CHARGES_DATA",
    title="Monthly Storage Fees",
    table="storage_fees",
    source="amazon_reports.md §6a",
    required=("month_of_charge", "fnsku", "estimated_monthly_storage_fee", "average_quantity_on_hand"),
    key=("month_of_charge", "asin", "fnsku", "fulfillment_center"),
    loose_key=("country_code",),
    date_column="month_of_charge",
    marketplace_column="country_code",
    skip_if_missing=("month_of_charge",),
    columns=(
        col("asin"), col("fnsku"), col("product_name"), col("fulfillment_center"), col("country_code"),
        col("longest_side", "number"), col("median_side", "number"), col("shortest_side", "number"),
        col("measurement_units"), col("weight", "number"), col("weight_units"),
        col("item_volume", "number"), col("volume_units"), col("product_size_tier"),
        col("average_quantity_on_hand", "number"), col("average_quantity_pending_removal", "number"),
        col("estimated_total_item_volume", "number"), col("month_of_charge", "month"),
        col("storage_rate", "money"), col("currency"), col("estimated_monthly_storage_fee", "money"),
        col("dangerous_goods_storage_type"), col("eligible_for_inventory_discount"),
        col("qualifies_for_inventory_discount"), col("total_incentive_fee_amount", "money"),
        col("breakdown_incentive_fee_amount"), col("average_quantity_customer_orders", "number"),
        col("storage_utilization_ratio", "number"), col("storage_utilization_ratio_units"),
        col("base_rate", "money"), col("utilization_surcharge_rate", "money"),
    ),
)

# --- §7 Customer returns: one row per returned unit ------------------------------------------------
CUSTOMER_RETURNS = ReportSchema(
    report_type="GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    title="FBA Customer Returns",
    table="customer_returns",
    source="amazon_reports.md §7",
    required=("return_date", "order_id", "sku", "quantity", "detailed_disposition"),
    key=("return_date", "order_id", "sku"),
    loose_key=("license_plate_number",),
    dedupe=False,
    date_column="return_date",
    columns=(
        col("return_date", "timestamp"), col("order_id"), col("sku"), col("asin"), col("fnsku"),
        col("product_name"), col("quantity", "int"), col("fulfillment_center_id"),
        col("detailed_disposition"), col("reason"), col("status"), col("license_plate_number"),
        col("customer_comments"),
    ),
)

# --- §9 Fee preview: US (31/25/22 columns) and EU (29 columns, "fulfilment") headers --------------
_EFN = ("uk", "de", "fr", "it", "es", "se")

FEE_PREVIEW = ReportSchema(
    report_type="GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    title="FBA Fee Preview",
    table="fee_preview",
    source="amazon_reports.md §9",
    required=("sku", "estimated_fee_total", "estimated_referral_fee_per_unit"),
    key=("snapshot_date", "sku"),
    loose_key=("amazon_store",),
    date_column="snapshot_date",
    snapshot_from_load=True,
    marketplace_column="amazon_store",
    columns=(
        col("snapshot_date", "date"), col("sku"), col("fnsku"), col("asin"), col("amazon_store"),
        col("product_name"), col("product_group"), col("brand"), col("fulfilled_by"),
        col("has_local_inventory"), col("your_price", "money"), col("sales_price", "money"),
        col("longest_side", "number"), col("median_side", "number"), col("shortest_side", "number"),
        col("length_and_girth", "number"), col("unit_of_dimension"),
        col("item_package_weight", "number"), col("unit_of_weight"),
        col("product_size_tier", "text", "product-size-tier", "product-size-weight-band"),
        col("currency"), col("estimated_fee_total", "money"),
        col("estimated_referral_fee_per_unit", "money"), col("estimated_variable_closing_fee", "money"),
        col("estimated_order_handling_fee_per_order", "money"),
        col("estimated_pick_pack_fee_per_unit", "money"),
        col("estimated_weight_handling_fee_per_unit", "money"),
        col("expected_fulfillment_fee_per_unit", "money", "expected-fulfillment-fee-per-unit",
            "expected-domestic-fulfilment-fee-per-unit"),
        col("estimated_future_fee", "money",
            "estimated-future-fee (Current Selling on Amazon + Future Fulfillment fees)"),
        col("estimated_future_order_handling_fee_per_order", "money"),
        col("estimated_future_pick_pack_fee_per_unit", "money"),
        col("estimated_future_weight_handling_fee_per_unit", "money"),
        col("expected_future_fulfillment_fee_per_unit", "money"),
        *(col(f"expected_efn_fulfilment_fee_per_unit_{c}", "money") for c in _EFN),
    ),
)

# --- The seller's own cost sheet (CSV or XLSX), template in sample_data/ ---------------------------
PRODUCT_COSTS = ReportSchema(
    report_type="PRODUCT_COSTS",
    title="Product costs (your own sheet)",
    table="product_costs",
    source="sample_data/product_costs_template.csv",
    required=("sku", "unit_cost"),
    key=("sku",),
    columns=(
        col("sku", "text", "seller-sku", "merchant-sku"),
        col("unit_cost", "money", "unit cost", "cost", "cost per unit", "landed cost"),
        col("currency"),
        col("supplier", "text", "vendor"),
        col("production_lead_time_days", "int", "production lead time days", "lead time production days",
            "production days"),
        col("transit_lead_time_days", "int", "transit lead time days", "lead time transit days",
            "transit days"),
        col("moq", "int", "minimum order quantity"),
        col("case_pack", "int", "units per case", "case quantity"),
    ),
)

# --- The seller's own stock on other channels (Shopify, own warehouse, Walmart ...): a plain CSV -----
# Header ``sku,quantity,channel`` (optionally ``snapshot_date``); without a date column the file is
# dated with the day it is loaded. Documented in docs/reports.md ("Other channel stock").
OTHER_CHANNEL_STOCK = ReportSchema(
    report_type="OTHER_CHANNEL_STOCK",
    title="Other channel stock",
    table="other_channel_stock",
    source="docs/reports.md, Other channel stock",
    required=("sku", "quantity", "channel"),
    key=("snapshot_date", "sku", "channel"),
    date_column="snapshot_date",
    snapshot_from_load=True,
    columns=(
        col("snapshot_date", "date"),
        col("sku", "text", "seller-sku", "merchant-sku"),
        col("channel"),
        col("quantity", "count"),
    ),
)

SCHEMAS: tuple[ReportSchema, ...] = (
    PLANNING, MANAGE_INVENTORY, RESTOCK, ORDERS, SHIPMENTS, LEDGER_DETAIL, LEDGER_SUMMARY,
    STORAGE_FEES, CUSTOMER_RETURNS, FEE_PREVIEW, PRODUCT_COSTS, OTHER_CHANNEL_STOCK,
)

BY_TYPE = {s.report_type: s for s in SCHEMAS} | {
    alias: s for s in SCHEMAS for alias in s.also_known_as
}

PRODUCT_COSTS_TEMPLATE_COLUMNS = tuple(c.name for c in PRODUCT_COSTS.columns)


@dataclass(frozen=True)
class Detection:
    """The outcome of matching a header against every known report."""

    schema: ReportSchema | None
    closest: ReportSchema | None
    missing: tuple[str, ...]  # Amazon spellings of the closest report's required columns not found


def detect(header: list[str]) -> Detection:
    """Recognise a report by its header names, never by position or file name.

    A report matches when all its required columns are present; among matches the one sharing the
    most column names wins. With no match, the closest report is the one sharing the most names,
    and ``missing`` lists which of its required columns the header lacks.
    """
    names = {normalise_header(h) for h in header}
    ranked = sorted(SCHEMAS, key=lambda s: len(names & s.signature), reverse=True)
    for schema in ranked:
        if all(schema.column(r).matches & names for r in schema.required):
            return Detection(schema, schema, ())
    closest = ranked[0] if names & ranked[0].signature else None
    missing = () if closest is None else tuple(
        closest.display_name(r) for r in closest.required if not closest.column(r).matches & names
    )
    return Detection(None, closest, missing)
