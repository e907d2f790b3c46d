// The explorer's chart library: vega-embed drawing the API's Vega-Lite specifications as
// SVG. build.rs bundles this file with Vega, Vega-Lite and vega-embed (npm, under
// src/http/graphiql/package-lock.json) into one script, served as /explore/chart.js.
//
// The page's content security policy allows no `eval`, no inline style: Vega's
// expressions run in vega-interpreter instead of compiled functions, and vega-embed adds
// neither its stylesheet nor its tooltip handler.
import embed from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';

/** Draws the Vega-Lite `spec` into `element`; resolves to vega-embed's result. */
window.southgraphChart = (element, spec) => embed(element, spec, {
  renderer: 'svg',
  actions: false,
  ast: true,
  expr: expressionInterpreter,
  defaultStyle: false,
  tooltip: false,
});
