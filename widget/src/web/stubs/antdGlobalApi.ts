// Stands in for antd's message and notification inside its ConfigProvider, which imports them only to pass
// `rtl` on; the widget shows neither, and they were 25 KB of script.js (webpack.config.cjs, BUNDLE-SIZE.md).
export default { config(): void {} };
