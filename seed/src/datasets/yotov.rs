//! Bilateral trade flows of 69 countries, 1986–2006, from the application data of Yotov,
//! Piermartini, Monteiro & Larch (2016), *An Advanced Guide to Trade Policy Analysis*
//! (WTO/UNCTAD), as the R package `tradepolicy` publishes it (`agtpa_applications`, a
//! DERIVED CSV: `exporter,importer,year,trade,dist,cntg,lang,clny,rta`).
//!
//! Flows (natural key: source + ref, `ref` = `EXPORTER-IMPORTER-YEAR`, e.g. `ARG-AUS-1986`):
//! - kind TRADE, `flow_type` = [`FLOW_TYPE`]; provider = `exporter`, recipient = `importer`,
//!   both ISO3 through the resolver; the file writes Romania with its old code `ROM`, which
//!   the resolver's alias table maps to `ROU`;
//! - `year`;
//! - `trade` is in **millions of current US dollars** (nominal bilateral trade flows), so
//!   `amount_usd_current` = `trade` × 1,000,000; there is no constant-dollar amount;
//! - the gravity covariates (`dist`, `cntg`, `lang`, `clny`, `rta`) are not imported.
//!
//! Domestic rows (`exporter` = `importer`: a country's trade with itself, i.e. its internal
//! sales, 1,449 rows of the file) are not flows between countries: they are skipped and
//! reported in one message with their count. Rows with `trade` 0 are data (no trade that
//! year) and are imported with an amount of 0.

use crate::datasets::{countries, read_first};
use crate::error::{FieldError, ImportError, ParseError};
use crate::resolver::CountryResolver;
use crate::run::{Input, Load};
use crate::store;
use crate::table::{CsvTable, Parsed};
use crate::text;
use crate::{Dataset, SkipKind};
use entity::FlowKind;
use std::collections::HashSet;

/// The `flow_type` of every flow.
pub const FLOW_TYPE: &str = "Bilateral trade (exports)";

/// The unit of `trade`: millions of current US dollars.
pub const USD_PER_UNIT: f64 = 1_000_000.0;

/// One exporter–importer–year row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TradeRecord {
    pub line: u64,
    pub exporter: String,
    pub importer: String,
    pub year: i32,
    /// `trade` as the file gives it (millions of current USD).
    pub trade: f64,
}

impl TradeRecord {
    /// The natural key `EXPORTER-IMPORTER-YEAR`.
    pub(crate) fn reference(&self) -> String {
        format!("{}-{}-{}", self.exporter, self.importer, self.year)
    }
}

/// The parse, and how many domestic rows were left out (reported in one message).
#[derive(Debug)]
pub(crate) struct TradeParse {
    pub parsed: Parsed<TradeRecord>,
    pub domestic: u64,
}

/// Parses the CSV.
pub(crate) fn parse(bytes: &[u8]) -> Result<TradeParse, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse(&text)?;
    let exporter = table.column("exporter")?;
    let importer = table.column("importer")?;
    let year = table.column("year")?;
    let trade = table.column("trade")?;
    let mut parsed = Parsed::new();
    let mut domestic = 0;
    let mut seen: HashSet<(String, String, i32)> = HashSet::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        let record = (|| {
            let code = |column| {
                let value = row.required(column)?;
                if value.len() == 3 && value.bytes().all(|byte| byte.is_ascii_uppercase()) {
                    Ok(value.to_owned())
                } else {
                    Err(row.invalid(column, value, "an ISO3 code"))
                }
            };
            let exporter = code(exporter)?;
            let importer = code(importer)?;
            let year = row.year(year)?.ok_or_else(|| FieldError::new(row.line, year.name, "is blank"))?;
            let amount = row.number(trade)?.ok_or_else(|| FieldError::new(row.line, trade.name, "is blank"))?;
            if amount < 0.0 {
                return Err(row.invalid(trade, row.raw(trade), "a trade value of 0 or more"));
            }
            Ok(TradeRecord { line: row.line, exporter, importer, year, trade: amount })
        })();
        match record {
            Err(error) => parsed.errors.push(error),
            Ok(record) if record.exporter == record.importer => domestic += 1,
            Ok(record) => {
                if !seen.insert((record.exporter.clone(), record.importer.clone(), record.year)) {
                    parsed.errors.push(FieldError::new(
                        record.line,
                        "year",
                        format!("`{}` appears twice", record.reference()),
                    ));
                    continue;
                }
                parsed.records.push(record);
            }
        }
    }
    Ok(TradeParse { parsed, domestic })
}

/// A code of the file as a country: ISO3, else an alias (`ROM`, Romania's old code).
fn resolve(resolver: &CountryResolver, code: &str) -> Option<i32> {
    resolver.iso3(code).or_else(|| resolver.name(code))
}

/// The message that reports the domestic rows.
pub(crate) fn domestic_message(count: u64) -> String {
    format!(
        "{count} domestic rows (exporter = importer, a country's trade with itself) skipped: not flows between countries"
    )
}

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<TradeParse, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Validates and upserts the trade flows.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let TradeParse { parsed, domestic } = read?;
    let records = load.accept(parsed)?;
    if domestic > 0 {
        load.skip_many(SkipKind::ByDesign, domestic, 0, "domestic trade", &domestic_message(domestic));
    }
    let resolver = countries(load, Dataset::YotovTrade).await?;
    let mut flows = Vec::with_capacity(records.len());
    for record in records {
        let Some(provider_id) = resolve(&resolver, &record.exporter) else {
            load.skip(
                SkipKind::Error,
                record.line,
                "exporter matches no country",
                &format!("exporter `{}` matches no country: row skipped", record.exporter),
            );
            continue;
        };
        let Some(recipient_id) = resolve(&resolver, &record.importer) else {
            load.skip(
                SkipKind::Error,
                record.line,
                "importer matches no country",
                &format!("importer `{}` matches no country: row skipped", record.importer),
            );
            continue;
        };
        let mut row = store::flow_row(load.source_id, record.reference(), provider_id, FlowKind::Trade);
        row.recipient_id = Some(recipient_id);
        row.year = Some(record.year);
        row.flow_type = Some(FLOW_TYPE.to_owned());
        row.amount_usd_current = Some(record.trade * USD_PER_UNIT);
        flows.push(row);
    }
    store::flows(load, flows).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real rows of agtpa_applications.csv: Argentina's domestic row, three of its exports in
    /// 1986, a zero-trade row (Argentina to Niger, 1986) and a Romanian row (`ROM`).
    const EXCERPT: &str = "exporter,importer,year,trade,dist,cntg,lang,clny,rta
ARG,ARG,1986,61288.59026286057,533.908239819169,0,0,0,0
ARG,AUS,1986,27.76487390676141,12044.574133735276,0,0,0,0
ARG,AUT,1986,3.5598425602912904,11751.146520555496,0,0,0,0
ARG,BEL,1986,96.10256689866722,11305.285763851547,0,0,0,0
ARG,NER,1986,0.0,8729.721272348022,0,0,0,0
ROM,ARG,1986,5.665495086669922,12294.281298627471,0,0,0,0
";

    #[test]
    fn domestic_rows_are_left_out_and_zero_trade_is_kept() {
        let TradeParse { parsed, domestic } = parse(EXCERPT.as_bytes()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!((parsed.rows_read, domestic), (6, 1));
        let [aus, _, _, niger, romania] = parsed.records.as_slice() else { panic!("{parsed:?}") };
        assert_eq!(aus.reference(), "ARG-AUS-1986");
        assert_eq!((aus.line, aus.trade), (3, 27.76487390676141));
        assert_eq!((niger.reference().as_str(), niger.trade), ("ARG-NER-1986", 0.0));
        assert_eq!(romania.exporter, "ROM");
        assert_eq!(
            domestic_message(1449),
            "1449 domestic rows (exporter = importer, a country's trade with itself) skipped: not flows between countries"
        );
    }

    #[test]
    fn bad_codes_and_amounts_name_line_and_field() {
        let text = EXCERPT.replace("ARG,AUT,1986,3.55", "ARG,AUT,1986,x3.55");
        let TradeParse { parsed, .. } = parse(text.as_bytes()).unwrap();
        assert_eq!(
            parsed.errors[0].in_file("t.csv"),
            "t.csv line 4, field `trade`: `x3.5598425602912904` is not a number"
        );
        let text = EXCERPT.replace("ARG,BEL", "ARG,Belgium");
        let TradeParse { parsed, .. } = parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.errors[0].in_file("t.csv"), "t.csv line 5, field `importer`: `Belgium` is not an ISO3 code");
        let repeated = format!("{EXCERPT}ARG,AUS,1986,1,1,0,0,0,0\n");
        let TradeParse { parsed, .. } = parse(repeated.as_bytes()).unwrap();
        assert_eq!(parsed.errors[0].in_file("t.csv"), "t.csv line 8, field `year`: `ARG-AUS-1986` appears twice");
    }
}
