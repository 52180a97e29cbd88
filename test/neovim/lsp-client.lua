-- Drives Neovim's built-in LSP client (headless, Neovim 0.7.2 from Debian 12: vim.lsp.start_client and
-- buf_attach_client; vim.lsp.start came in 0.8) against the built Spark Optimizer language server, for
-- test/lsp-neovim.test.ts. Reads a plan (JSON, $SPARK_LSP_PLAN):
--   { node, server, root, historyDatabase, out, files = [ { path, code, action } ] }
-- and for each file: opens it (Neovim picks the filetype, which its LSP client sends as languageId), waits for a
-- diagnostic with `code`, hovers at that diagnostic's start, asks for the code actions over its range, applies the one
-- titled `action`, and records the buffer's text after the edit. Writes the results as JSON to `out` and quits.
local plan = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('SPARK_LSP_PLAN')), '\n'))
local results = { files = {}, error = vim.NIL }

local function lsp_code(d)
  if d.code ~= nil then return d.code end
  return d.user_data and d.user_data.lsp and d.user_data.lsp.code or vim.NIL
end

local function run()
  local client_id = vim.lsp.start_client({
    name = 'spark-optimizer',
    cmd = { plan.node, plan.server, '--stdio' },
    root_dir = plan.root,
    init_options = { historyDatabase = plan.historyDatabase },
  })
  assert(client_id, 'vim.lsp.start_client failed')
  results.client = { name = 'Neovim', version = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch) }
  for _, f in ipairs(plan.files) do
    vim.cmd('edit ' .. vim.fn.fnameescape(f.path))
    local bufnr = vim.api.nvim_get_current_buf()
    local r = { path = f.path, filetype = vim.bo[bufnr].filetype }
    vim.lsp.buf_attach_client(bufnr, client_id)
    local found = nil
    vim.wait(90000, function()
      for _, d in ipairs(vim.diagnostic.get(bufnr)) do
        if lsp_code(d) == f.code then found = d return true end
      end
      return false
    end, 50)
    assert(found, 'no diagnostic ' .. f.code .. ' in ' .. f.path)
    r.diagnostics = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      table.insert(r.diagnostics, { line = d.lnum, col = d.col, end_line = d.end_lnum, end_col = d.end_col, severity = d.severity, code = lsp_code(d), message = d.message })
    end
    local uri = vim.uri_from_bufnr(bufnr)
    local start = { line = found.lnum, character = found.col }
    local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', { textDocument = { uri = uri }, position = start }, 30000)
    r.hover = hover and hover[client_id] and hover[client_id].result and hover[client_id].result.contents.value or vim.NIL
    local range = { start = start, ['end'] = { line = found.end_lnum, character = found.end_col } }
    local actions = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', { textDocument = { uri = uri }, range = range, context = { diagnostics = {} } }, 30000)
    r.actions = {}
    local chosen = nil
    for _, a in ipairs((actions and actions[client_id] and actions[client_id].result) or {}) do
      table.insert(r.actions, a.title)
      if a.title == f.action then chosen = a end
    end
    assert(chosen, 'no code action "' .. f.action .. '" in ' .. f.path)
    vim.lsp.util.apply_workspace_edit(chosen.edit, 'utf-16')
    r.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
    table.insert(results.files, r)
  end
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
end

local ok, err = pcall(run)
if not ok then results.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(results) }, plan.out)
vim.cmd('qa!')
