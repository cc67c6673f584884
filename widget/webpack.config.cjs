// Builds the amoCRM widget: an AMD script.js (amoCRM's RequireJS loads it and expects the widget
// constructor as the module value, hence export: 'default'), the static files amoCRM requires, the
// harness page, and widget.zip with every file at the archive root.
const path = require('node:path');
const webpack = require('webpack');
const { VueLoaderPlugin } = require('vue-loader');
const CopyPlugin = require('copy-webpack-plugin');
const ZipPlugin = require('zip-webpack-plugin');
const pkg = require('./package.json');

module.exports = (env, argv) => {
  const production = argv.mode !== 'development';
  return {
    entry: { script: './src/web/entry.ts' },
    target: ['web', 'es2020'],
    devtool: production ? false : 'source-map',
    output: {
      path: path.resolve(__dirname, 'dist'),
      filename: '[name].js',
      library: { type: 'amd', export: 'default' },
      clean: true,
    },
    externals: { jquery: 'jquery' },
    resolve: { extensions: ['.ts', '.js', '.vue', '.json'] },
    module: {
      rules: [
        { test: /\.vue$/, loader: 'vue-loader' },
        {
          test: /\.ts$/,
          loader: 'ts-loader',
          options: { appendTsSuffixTo: [/\.vue$/], transpileOnly: true, configFile: 'tsconfig.build.json' },
        },
        // Styles go into <style> tags marked as ours; they are all scoped under .dc-widget.
        { test: /\.css$/, use: [{ loader: 'style-loader', options: { attributes: { 'data-dealcopy': '1' } } }, 'css-loader'] },
      ],
    },
    plugins: [
      new VueLoaderPlugin(),
      // Trims antd to what the widget shows (widget/BUNDLE-SIZE.md): ConfigProvider's message/notification hooks
      // and its ResizeObserver polyfill are swapped for tiny local modules.
      new webpack.NormalModuleReplacementPlugin(/^\.\.\/(message|notification)$/, (resource) => {
        if (/ant-design-vue[\\/]es[\\/]config-provider/.test(resource.context)) {
          resource.request = path.resolve(__dirname, 'src/web/stubs/antdGlobalApi.ts');
        }
      }),
      new webpack.NormalModuleReplacementPlugin(/^resize-observer-polyfill$/, path.resolve(__dirname, 'src/web/stubs/resizeObserver.ts')),
      new webpack.DefinePlugin({
        __VUE_OPTIONS_API__: 'true',
        __VUE_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
        __DEALCOPY_API_BASE__: JSON.stringify(process.env.DEALCOPY_API_BASE || ''),
        __DEALCOPY_VERSION__: JSON.stringify(pkg.version),
      }),
      new CopyPlugin({
        patterns: [
          { from: 'public', to: '.' },
          { from: 'harness', to: 'harness' },
          { from: 'node_modules/requirejs/require.js', to: 'harness/require.js' },
          { from: 'node_modules/jquery/dist/jquery.min.js', to: 'harness/jquery.min.js' },
        ],
      }),
      new ZipPlugin({
        filename: 'widget.zip',
        // Only what amoCRM needs, at the archive root: no harness, no source maps, no license side file.
        exclude: [/^harness\//, /\.map$/, /\.zip$/, /LICENSE/],
      }),
    ],
    performance: { hints: false },
    optimization: { splitChunks: false },
  };
};
