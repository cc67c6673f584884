// antd ships a ResizeObserver polyfill; every browser amoCRM supports has the native one.
export default globalThis.ResizeObserver;
