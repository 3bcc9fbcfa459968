SELECT :users, :'name', :"x", :unknown; -- :users
