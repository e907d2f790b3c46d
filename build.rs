//! Builds the pages' third-party scripts into the binary, so that `/` and `/explore` work
//! offline: GraphiQL's release files, and the explorer's chart library (Vega, Vega-Lite and
//! vega-embed, bundled by esbuild from `src/http/explore/chart.js`).
//!
//! `npm ci` installs the packages pinned by `src/http/graphiql/package-lock.json` (with their
//! integrity hashes) into `$OUT_DIR/graphiql`, and the files the pages load are copied or
//! bundled beside it for `include_bytes!`. npm's cache makes later builds work offline too.
//!
//! Without npm (or when it fails) the build goes on with empty files: the API is whole, `/`
//! says why GraphiQL is missing and how to get it, and the explorer draws no chart.
//! `SOUTHGRAPH_REQUIRE_GRAPHIQL=1` (set by `.ci/run`) makes that an error instead.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::Command,
};

/// The files the page loads: where npm puts them, and the name they are served under.
const FILES: [(&str, &str); 4] = [
    ("node_modules/react/umd/react.production.min.js", "react.production.min.js"),
    ("node_modules/react-dom/umd/react-dom.production.min.js", "react-dom.production.min.js"),
    ("node_modules/graphiql/graphiql.min.js", "graphiql.min.js"),
    ("node_modules/graphiql/graphiql.min.css", "graphiql.min.css"),
];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let packages = manifest.join("src/http/graphiql");
    println!("cargo::rerun-if-changed=src/http/graphiql/package.json");
    println!("cargo::rerun-if-changed=src/http/graphiql/package-lock.json");
    println!("cargo::rerun-if-changed={CHART_ENTRY}");
    println!("cargo::rerun-if-env-changed=SOUTHGRAPH_REQUIRE_GRAPHIQL");
    println!("cargo::rerun-if-env-changed=NPM");

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("graphiql");
    let missing = match install(&packages, &out) {
        Ok(()) => String::new(),
        Err(reason) => {
            if env::var_os("SOUTHGRAPH_REQUIRE_GRAPHIQL").is_some_and(|value| value != "0") {
                panic!("GraphiQL's files could not be built in: {reason}");
            }
            println!(
                "cargo::warning=GraphiQL is left out of this build ({reason}); the API works, and `/` says how to add it"
            );
            for name in FILES.map(|(_, name)| name).into_iter().chain([CHART]) {
                fs::write(out.join(name), b"").expect("OUT_DIR is writable");
            }
            reason
        }
    };
    println!("cargo::rustc-env=SOUTHGRAPH_GRAPHIQL_DIR={}", out.display());
    println!("cargo::rustc-env=SOUTHGRAPH_GRAPHIQL_MISSING={missing}");
}

/// The explorer's chart library: our entry file, and the bundle's name.
const CHART_ENTRY: &str = "src/http/explore/chart.js";
const CHART: &str = "chart.min.js";

/// Runs `npm ci` under the lock file in `out`, copies the served files there and bundles
/// the chart library.
fn install(packages: &Path, out: &Path) -> Result<(), String> {
    fs::create_dir_all(out).map_err(|err| format!("cannot create {}: {err}", out.display()))?;
    for file in ["package.json", "package-lock.json"] {
        fs::copy(packages.join(file), out.join(file)).map_err(|err| format!("cannot copy {file}: {err}"))?;
    }
    let npm = env::var("NPM").unwrap_or_else(|_| "npm".to_owned());
    let output = Command::new(&npm)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(out)
        .output()
        .map_err(|err| format!("`{npm}` could not run ({err}): install Node.js 20 or newer and build again"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("no message");
        return Err(format!("`{npm} ci` failed ({}): {last}", output.status));
    }
    for (from, name) in FILES {
        fs::copy(out.join(from), out.join(name)).map_err(|err| format!("npm installed no {from}: {err}"))?;
    }
    bundle_chart(packages, out)
}

/// Bundles `CHART_ENTRY` with the packages it imports into one minified script, `CHART`.
fn bundle_chart(packages: &Path, out: &Path) -> Result<(), String> {
    let entry = packages.join("../../..").join(CHART_ENTRY);
    // esbuild resolves the imports from the entry's folder up: give it the installed ones.
    let staged = out.join("chart.js");
    fs::copy(&entry, &staged).map_err(|err| format!("cannot copy {CHART_ENTRY}: {err}"))?;
    let output = Command::new(out.join("node_modules/.bin/esbuild"))
        .args(["chart.js", "--bundle", "--minify", "--format=iife", "--log-level=error"])
        .arg(format!("--outfile={CHART}"))
        .current_dir(out)
        .output()
        .map_err(|err| format!("esbuild could not run ({err})"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("esbuild failed ({}): {}", output.status, stderr.trim()));
    }
    Ok(())
}
