declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

/** Backend base URL baked in at build time (DEALCOPY_API_BASE); empty = same origin as the page. */
declare const __DEALCOPY_API_BASE__: string;
/** Widget version from package.json. */
declare const __DEALCOPY_VERSION__: string;
