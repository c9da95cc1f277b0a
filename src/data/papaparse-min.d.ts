// Types for papaparse's minified build: the same code as its main file (csv.ts says why it is used).
declare module 'papaparse/papaparse.min.js' {
  import * as Papa from 'papaparse';
  export default Papa;
}
