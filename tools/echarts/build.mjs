// Builds ../../dudao/static/vendor/echarts-<version>-dudao.min.js from entry.js (`make echarts`).
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const version = JSON.parse(readFileSync(new URL("./node_modules/echarts/package.json", import.meta.url))).version;
const zrender = JSON.parse(readFileSync(new URL("./node_modules/zrender/package.json", import.meta.url))).version;
const outfile = new URL(`../../dudao/static/vendor/echarts-${version}-dudao.min.js`, import.meta.url).pathname;

const banner = `/*
* Licensed to the Apache Software Foundation (ASF) under one
* or more contributor license agreements.  See the NOTICE file
* distributed with this work for additional information
* regarding copyright ownership.  The ASF licenses this file
* to you under the Apache License, Version 2.0 (the
* "License"); you may not use this file except in compliance
* with the License.  You may obtain a copy of the License at
*
*   http://www.apache.org/licenses/LICENSE-2.0
*
* Unless required by applicable law or agreed to in writing,
* software distributed under the License is distributed on an
* "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
* KIND, either express or implied.  See the License for the
* specific language governing permissions and limitations
* under the License.
*/
/* Apache ECharts ${version} (zrender ${zrender}), custom build for Dudao: bar, line and radar
   charts; grid, radar, tooltip, legend and markLine; SVG renderer. Source: tools/echarts (make echarts). */`;

await build({
  entryPoints: [new URL("./entry.js", import.meta.url).pathname],
  outfile,
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "echarts",
  target: "es2017",
  define: { "process.env.NODE_ENV": '"production"' },
  banner: { js: banner },
  legalComments: "inline",
  charset: "utf8",
  logLevel: "info",
});
