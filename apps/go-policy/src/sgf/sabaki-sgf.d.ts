// Types for the parts of @sabaki/sgf (plain CommonJS, no bundled types) that this app uses.
declare module '@sabaki/sgf' {
  export interface SgfNode {
    id: unknown;
    data: Record<string, string[]>;
    parentId: unknown;
    children: SgfNode[];
  }
  export interface SgfToken {
    type: 'parenthesis' | 'semicolon' | 'prop_ident' | 'c_value_type' | 'invalid';
    value: string;
    row: number;
    col: number;
    pos: number;
  }
  export interface StringifyNode {
    data?: Record<string, string[]>;
    children: StringifyNode[];
  }
  const sgf: {
    tokenize(contents: string): SgfToken[];
    parseTokens(tokens: Iterable<SgfToken>): SgfNode[];
    parse(contents: string): SgfNode[];
    stringify(nodes: StringifyNode[] | StringifyNode, options?: { linebreak?: string; indent?: string }): string;
  };
  export default sgf;
}
