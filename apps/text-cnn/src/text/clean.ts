// Kim's clean_str and clean_str_sst (yoonkim/CNN_sentence process_data.py, also harvardnlp/sent-conv-torch
// preprocess.py), ported rule for rule. One deliberate difference: Python's re.sub keeps the backslash of the
// replacement " \( " (an unknown escape), so Kim's tokens are "\(" and "\)"; we emit "(" and ")". That renames
// two vocabulary entries and changes nothing else.

/** Kim's clean_str: keeps letters, digits and ( ) , ! ? ' `; splits clitics; lower-cases unless `keepCase` (TREC). */
export function cleanStr(text: string, keepCase = false): string {
  const s = text
    .replace(/[^A-Za-z0-9(),!?'`]/g, ' ')
    .replace(/'s/g, " 's")
    .replace(/'ve/g, " 've")
    .replace(/n't/g, " n't")
    .replace(/'re/g, " 're")
    .replace(/'d/g, " 'd")
    .replace(/'ll/g, " 'll")
    .replace(/,/g, ' , ')
    .replace(/!/g, ' ! ')
    .replace(/\(/g, ' ( ')
    .replace(/\)/g, ' ) ')
    .replace(/\?/g, ' ? ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return keepCase ? s : s.toLowerCase();
}

/** Kim's clean_str_sst: the SST files are already tokenised, so only the character filter and lower-casing. */
export function cleanStrSst(text: string): string {
  return text
    .replace(/[^A-Za-z0-9(),!?'`]/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim()
    .toLowerCase();
}
